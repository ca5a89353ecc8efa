using AiPlatform.Core.Common;
using AiPlatform.Core.Credits;
using AiPlatform.Core.Data;
using AiPlatform.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static AiPlatform.IntegrationTests.Credits.CreditsTestSupport;

namespace AiPlatform.IntegrationTests.Credits;

/// <summary>The ledger as the chat code uses it: the pre-call check and settlement in the caller's transaction.</summary>
[Collection(ApiCollection.Name)]
public sealed class CreditLedgerTests(ApiFactory factory)
{
    [Fact]
    public async Task EnsureCanAfford_refuses_an_estimate_above_the_balance_with_402()
    {
        var tenant = await factory.CreateTenantAsync();
        var balance = await tenant.Client.BalanceAsync();

        await factory.AsTenantAsync(tenant, async (_, ledger) =>
        {
            await ledger.EnsureCanAffordAsync(tenant.TenantId, balance);
            await ledger.EnsureCanAffordAsync(tenant.TenantId, 0m);
            var refused = await Assert.ThrowsAsync<DomainException>(() => ledger.EnsureCanAffordAsync(tenant.TenantId, balance + 0.0001m));
            Assert.Equal(402, refused.StatusCode);
            Assert.Equal(ErrorCodes.InsufficientCredits, refused.Code);
            Assert.Contains($"{CreditAmounts.Format(balance + 0.0001m)} credits", refused.Message);
            Assert.Contains($"balance is {CreditAmounts.Format(balance)} credits", refused.Message);
            return 0;
        });
    }

    [Fact]
    public async Task Settlement_records_usage_and_debit_in_the_callers_transaction()
    {
        var tenant = await factory.CreateTenantAsync();
        var start = await tenant.Client.BalanceAsync();

        var (replyId, settlement) = await factory.AsTenantAsync(tenant, (db, ledger) => db.InTransactionAsync(async ct =>
        {
            var conversation = StageConversation(db, tenant);
            var reply = StageReply(db, conversation);
            await db.SaveChangesAsync(ct);
            await ledger.EnsureCanAffordAsync(tenant.TenantId, 1.2345m, ct);
            var settlement = await ledger.SettleUsageAsync(Usage(tenant, 1.2345m, conversation, reply), ct);
            return (reply.Id, settlement);
        }, CancellationToken.None));

        Assert.Equal(start - 1.2345m, settlement.BalanceAfter);
        Assert.NotNull(settlement.Debit);
        Assert.Equal(start - 1.2345m, await tenant.Client.BalanceAsync());
        var (usage, debit) = await factory.InSystemScopeAsync(async db => (
            await db.UsageRecords.SingleAsync(u => u.Id == settlement.Usage.Id),
            await db.CreditTransactions.SingleAsync(t => t.UsageRecordId == settlement.Usage.Id)));
        Assert.Equal(replyId, usage.MessageId);
        Assert.Equal(1.2345m, usage.Cost);
        Assert.Equal((1000, 500), (usage.PromptTokens, usage.CompletionTokens));
        Assert.Equal(CreditTransactionType.Usage, debit.Type);
        Assert.Equal(-1.2345m, debit.Amount);
        Assert.Equal(tenant.UserId, debit.UserId);
        await factory.AssertLedgerInvariantAsync(tenant.TenantId);
    }

    [Fact]
    public async Task Settlement_rolls_back_with_the_callers_transaction()
    {
        var tenant = await factory.CreateTenantAsync();
        var start = await tenant.Client.BalanceAsync();
        Guid replyId = default, usageId = default;

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => factory.AsTenantAsync(tenant, (db, ledger) =>
            db.InTransactionAsync<int>(async ct =>
            {
                var conversation = StageConversation(db, tenant);
                var reply = StageReply(db, conversation);
                replyId = reply.Id;
                var settlement = await ledger.SettleUsageAsync(Usage(tenant, 2m, conversation, reply), ct);
                usageId = settlement.Usage.Id;
                Assert.Equal(start - 2m, settlement.BalanceAfter);
                throw new InvalidOperationException("Storing the reply failed after settlement.");
            }, CancellationToken.None)));
        Assert.Contains("after settlement", failure.Message);

        Assert.Equal(start, await tenant.Client.BalanceAsync());
        var (messages, usages, debits) = await factory.InSystemScopeAsync(async db => (
            await db.Messages.CountAsync(m => m.Id == replyId),
            await db.UsageRecords.CountAsync(u => u.Id == usageId),
            await db.CreditTransactions.CountAsync(t => t.TenantId == tenant.TenantId && t.Type == CreditTransactionType.Usage)));
        Assert.Equal((0, 0, 0), (messages, usages, debits));
        await factory.AssertLedgerInvariantAsync(tenant.TenantId);
    }

    [Fact]
    public async Task Settlement_outside_a_transaction_is_refused()
    {
        var tenant = await factory.CreateTenantAsync();
        await factory.AsTenantAsync(tenant, async (_, ledger) =>
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => ledger.SettleUsageAsync(Usage(tenant, 1m)));
            return 0;
        });
        Assert.Equal(factory.SignupCredits(), await tenant.Client.BalanceAsync());
    }

    [Fact]
    public async Task A_free_call_records_usage_but_no_ledger_row()
    {
        var tenant = await factory.CreateTenantAsync();
        var start = await tenant.Client.BalanceAsync();

        var settlement = await factory.AsTenantAsync(tenant, (db, ledger) => db.InTransactionAsync(
            ct => ledger.SettleUsageAsync(Usage(tenant, 0m) with { Model = "local", Provider = "local" }, ct), CancellationToken.None));

        Assert.Null(settlement.Debit);
        Assert.Null(settlement.BalanceAfter);
        Assert.Equal(start, await tenant.Client.BalanceAsync());
        var (usages, usageRows) = await factory.InSystemScopeAsync(async db => (
            await db.UsageRecords.CountAsync(u => u.Id == settlement.Usage.Id && u.Cost == 0 && u.Model == "local"),
            await db.CreditTransactions.CountAsync(t => t.TenantId == tenant.TenantId && t.Type == CreditTransactionType.Usage)));
        Assert.Equal((1, 0), (usages, usageRows));
    }

    [Fact]
    public async Task Settlement_may_overdraw_but_then_refuses_paid_calls_and_gifts()
    {
        var tenant = await factory.CreateTenantAsync();
        var friend = await factory.CreateTenantAsync();
        var start = await tenant.Client.BalanceAsync();

        // The call already happened (it passed the pre-check while a concurrent one was spending the rest):
        // its reply and cost are recorded even though they overdraw.
        var settlement = await factory.AsTenantAsync(tenant, (db, ledger) => db.InTransactionAsync(
            ct => ledger.SettleUsageAsync(Usage(tenant, start + 5m), ct), CancellationToken.None));
        Assert.Equal(-5m, settlement.BalanceAfter);
        Assert.Equal(-5m, await tenant.Client.BalanceAsync());

        await factory.AsTenantAsync(tenant, async (_, ledger) =>
        {
            await Assert.ThrowsAsync<DomainException>(() => ledger.EnsureCanAffordAsync(tenant.TenantId, 0.0001m));
            await ledger.EnsureCanAffordAsync(tenant.TenantId, 0m);
            return 0;
        });
        await (await tenant.Client.GiftAsync(friend.Email, 1m)).AssertErrorAsync(402, "INSUFFICIENT_CREDITS");
        await factory.AssertLedgerInvariantAsync(tenant.TenantId, friend.TenantId);
    }

    [Fact]
    public async Task A_tenant_without_an_account_gets_one_on_first_settlement()
    {
        // As for a tenant created before credits existed: no account, no ledger.
        var tenantId = await factory.InSystemScopeAsync(async db =>
        {
            var legacy = new AiPlatform.Core.Tenancy.Tenant { Name = "Legacy", CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow };
            db.Tenants.Add(legacy);
            await db.SaveChangesAsync();
            return legacy.Id;
        });

        var settlement = await factory.InTenantScopeAsync(tenantId, (db, ledger) => db.InTransactionAsync(
            ct => ledger.SettleUsageAsync(new UsageEntry(tenantId, Guid.NewGuid(), "gpt-test", "fake", 10, 10, 0.5m, 5), ct), CancellationToken.None));

        Assert.Equal(-0.5m, settlement.BalanceAfter);
        var balance = await factory.InTenantScopeAsync(tenantId, (_, ledger) => ledger.GetBalanceAsync(tenantId));
        Assert.Equal(-0.5m, balance.Balance);
        await factory.AssertLedgerInvariantAsync(tenantId);
    }
}
