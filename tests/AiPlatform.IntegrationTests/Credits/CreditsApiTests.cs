using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AiPlatform.Core.Data;
using AiPlatform.IntegrationTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AiPlatform.IntegrationTests.Credits;

[Collection(ApiCollection.Name)]
public sealed class CreditsApiTests(ApiFactory factory)
{
    private static decimal RoundDown4(decimal value) => Math.Floor(value * 10_000m) / 10_000m;

    private async Task<HttpClient> AdminAsync() => await factory.SignInAsync(ApiFactory.AdminEmail, ApiFactory.AdminPassword);

    private static Task<HttpResponseMessage> AdjustAsync(HttpClient admin, Guid tenantId, object body) =>
        admin.PostAsJsonAsync($"/api/v1/admin/tenants/{tenantId}/credits", body);

    private static async Task<List<JsonElement>> HistoryAsync(HttpClient client, string query = "") =>
        (await (await client.GetAsync($"/api/v1/credits/history?pageSize=100{query}")).ReadJsonAsync())
            .GetProperty("items").EnumerateArray().ToList();

    [Fact]
    public async Task A_new_tenant_starts_with_the_signup_credits()
    {
        var tenant = await factory.CreateTenantAsync();
        var signup = factory.SignupCredits();

        var balance = await (await tenant.Client.GetAsync("/api/v1/credits/balance")).ReadJsonAsync();
        Assert.Equal(signup, balance.GetProperty("balance").GetDecimal());
        Assert.Equal("credits", balance.GetProperty("currency").GetString());
        Assert.NotEqual(JsonValueKind.Null, balance.GetProperty("updatedAt").ValueKind);

        var grant = Assert.Single(await HistoryAsync(tenant.Client));
        Assert.Equal("GIFT", grant.GetProperty("type").GetString());
        Assert.Equal(signup, grant.GetProperty("amount").GetDecimal());
        Assert.Equal(signup, grant.GetProperty("balanceAfter").GetDecimal());
        Assert.Equal("Signup credits", grant.GetProperty("description").GetString());
        Assert.Equal(JsonValueKind.Null, grant.GetProperty("counterpartyTenantId").ValueKind);
        await factory.AssertLedgerInvariantAsync(tenant.TenantId);
    }

    [Fact]
    public async Task History_is_paged_newest_first_and_filtered_by_type()
    {
        var tenant = await factory.CreateTenantAsync();
        var friend = await factory.CreateTenantAsync();
        var admin = await AdminAsync();
        Assert.Equal(HttpStatusCode.Created, (await AdjustAsync(admin, tenant.TenantId, new { amount = 10, type = "PURCHASE", reason = "Invoice 1" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await AdjustAsync(admin, tenant.TenantId, new { amount = 5, type = "REFUND", reason = "Failed call" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await AdjustAsync(admin, tenant.TenantId, new { amount = -3, type = "ADJUSTMENT", reason = "Correction" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await tenant.Client.GiftAsync(friend.Email, 2m)).StatusCode);

        var first = await (await tenant.Client.GetAsync("/api/v1/credits/history?page=1&pageSize=2")).ReadJsonAsync();
        Assert.Equal(5, first.GetProperty("total").GetInt32());
        Assert.Equal(3, first.GetProperty("totalPages").GetInt32());
        Assert.Equal(
            [("GIFT", -2m), ("ADJUSTMENT", -3m)],
            first.GetProperty("items").EnumerateArray().Select(i => (i.GetProperty("type").GetString(), i.GetProperty("amount").GetDecimal())));
        var last = await (await tenant.Client.GetAsync("/api/v1/credits/history?page=3&pageSize=2")).ReadJsonAsync();
        var signup = Assert.Single(last.GetProperty("items").EnumerateArray());
        Assert.Equal("Signup credits", signup.GetProperty("description").GetString());

        var purchases = await HistoryAsync(tenant.Client, "&type=PURCHASE");
        Assert.Equal(10m, Assert.Single(purchases).GetProperty("amount").GetDecimal());
        Assert.Equal(2, (await HistoryAsync(tenant.Client, "&type=gift")).Count);
        Assert.Empty(await HistoryAsync(tenant.Client, "&type=USAGE"));

        var badType = await (await tenant.Client.GetAsync("/api/v1/credits/history?type=KING")).AssertErrorAsync(422, "VALIDATION_ERROR");
        Assert.Contains("PURCHASE", badType.GetProperty("details").GetProperty("type")[0].GetString());
        await (await tenant.Client.GetAsync("/api/v1/credits/history?page=0")).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await tenant.Client.GetAsync("/api/v1/credits/history?pageSize=1000")).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await tenant.Client.GetAsync("/api/v1/credits/history?page=abc")).AssertErrorAsync(400, "VALIDATION_ERROR");
        await factory.AssertLedgerInvariantAsync(tenant.TenantId, friend.TenantId);
    }

    [Fact]
    public async Task A_gift_moves_credits_between_tenants_on_both_balances_and_both_ledgers()
    {
        var sender = await factory.CreateTenantAsync();
        var recipient = await factory.CreateTenantAsync();
        var signup = factory.SignupCredits();

        var response = await sender.Client.GiftAsync(recipient.Email.ToUpperInvariant(), 12.5m, "Thanks for the help");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var sent = await response.ReadJsonAsync();
        Assert.Equal("GIFT", sent.GetProperty("type").GetString());
        Assert.Equal(-12.5m, sent.GetProperty("amount").GetDecimal());
        Assert.Equal(signup - 12.5m, sent.GetProperty("balanceAfter").GetDecimal());
        Assert.Equal(recipient.TenantId, sent.GetProperty("counterpartyTenantId").GetGuid());
        Assert.Equal(sender.UserId, sent.GetProperty("userId").GetGuid());
        Assert.Contains("Thanks for the help", sent.GetProperty("description").GetString());

        Assert.Equal(signup - 12.5m, await sender.Client.BalanceAsync());
        Assert.Equal(signup + 12.5m, await recipient.Client.BalanceAsync());
        Assert.Equal(sent.GetProperty("id").GetGuid(), (await HistoryAsync(sender.Client))[0].GetProperty("id").GetGuid());
        var received = (await HistoryAsync(recipient.Client))[0];
        Assert.Equal("GIFT", received.GetProperty("type").GetString());
        Assert.Equal(12.5m, received.GetProperty("amount").GetDecimal());
        Assert.Equal(signup + 12.5m, received.GetProperty("balanceAfter").GetDecimal());
        Assert.Equal(sender.TenantId, received.GetProperty("counterpartyTenantId").GetGuid());
        Assert.Contains(sender.Email, received.GetProperty("description").GetString());
        await factory.AssertLedgerInvariantAsync(sender.TenantId, recipient.TenantId);
    }

    [Fact]
    public async Task A_gift_larger_than_the_balance_is_402_and_moves_nothing()
    {
        var sender = await factory.CreateTenantAsync();
        var recipient = await factory.CreateTenantAsync();
        var balance = await sender.Client.BalanceAsync();

        var error = await (await sender.Client.GiftAsync(recipient.Email, balance + 0.0001m)).AssertErrorAsync(402, "INSUFFICIENT_CREDITS");
        Assert.Contains(balance.ToString(System.Globalization.CultureInfo.InvariantCulture), error.GetProperty("message").GetString());
        Assert.Equal(balance, await sender.Client.BalanceAsync());
        Assert.Equal(balance, await recipient.Client.BalanceAsync());
        Assert.Single(await HistoryAsync(sender.Client));
        Assert.Single(await HistoryAsync(recipient.Client));

        // The whole balance can be given, to the last ten-thousandth.
        Assert.Equal(HttpStatusCode.Created, (await sender.Client.GiftAsync(recipient.Email, balance)).StatusCode);
        Assert.Equal(0m, await sender.Client.BalanceAsync());
        await factory.AssertLedgerInvariantAsync(sender.TenantId, recipient.TenantId);
    }

    [Fact]
    public async Task Twenty_concurrent_gifts_never_overdraw_and_conserve_credits()
    {
        var sender = await factory.CreateTenantAsync();
        var recipients = new[] { await factory.CreateTenantAsync(), await factory.CreateTenantAsync() };
        var start = await sender.Client.BalanceAsync();
        var amount = RoundDown4(start / 6.5m);
        var affordable = (int)Math.Floor(start / amount);
        Assert.InRange(affordable, 1, 19);
        var total = start + (await recipients[0].Client.BalanceAsync()) + (await recipients[1].Client.BalanceAsync());

        var responses = await Task.WhenAll(Enumerable.Range(0, 20)
            .Select(i => sender.Client.GiftAsync(recipients[i % 2].Email, amount, $"gift {i}")));

        var succeeded = responses.Count(r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(affordable, succeeded);
        foreach (var refused in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            await refused.AssertErrorAsync(402, "INSUFFICIENT_CREDITS");
        }

        var senderBalance = await sender.Client.BalanceAsync();
        Assert.Equal(start - affordable * amount, senderBalance);
        Assert.True(senderBalance >= 0);
        var received = (await recipients[0].Client.BalanceAsync()) + (await recipients[1].Client.BalanceAsync());
        Assert.Equal(total, senderBalance + received);
        Assert.Equal(affordable, (await HistoryAsync(sender.Client, "&type=GIFT")).Count(t => t.GetProperty("amount").GetDecimal() < 0));
        // Every debit saw a balance that covered it: the balances after each gift are all distinct and non-negative.
        var balancesAfter = (await HistoryAsync(sender.Client, "&type=GIFT")).Where(t => t.GetProperty("amount").GetDecimal() < 0)
            .Select(t => t.GetProperty("balanceAfter").GetDecimal()).ToList();
        Assert.All(balancesAfter, b => Assert.True(b >= 0));
        Assert.Equal(balancesAfter.Count, balancesAfter.Distinct().Count());
        await factory.AssertLedgerInvariantAsync(sender.TenantId, recipients[0].TenantId, recipients[1].TenantId);
    }

    [Fact]
    public async Task Gifts_crossing_in_opposite_directions_do_not_deadlock()
    {
        var a = await factory.CreateTenantAsync();
        var b = await factory.CreateTenantAsync();
        var (startA, startB) = (await a.Client.BalanceAsync(), await b.Client.BalanceAsync());
        var amount = RoundDown4(Math.Min(startA, startB) / 20m);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => i % 2 == 0
            ? a.Client.GiftAsync(b.Email, amount)
            : b.Client.GiftAsync(a.Email, amount)));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Equal(startA, await a.Client.BalanceAsync());
        Assert.Equal(startB, await b.Client.BalanceAsync());
        await factory.AssertLedgerInvariantAsync(a.TenantId, b.TenantId);
    }

    [Fact]
    public async Task Gifts_within_the_own_tenant_are_422_and_to_unknown_emails_404()
    {
        var tenant = await factory.CreateTenantAsync();
        var balance = await tenant.Client.BalanceAsync();

        var self = await (await tenant.Client.GiftAsync(tenant.Email, 1m)).AssertErrorAsync(422, "VALIDATION_ERROR");
        Assert.True(self.GetProperty("details").TryGetProperty("recipientEmail", out _));

        var memberEmail = $"member-{Guid.NewGuid():N}@example.test";
        await tenant.Client.PostAsJsonAsync("/api/v1/tenants/current/users", new { email = memberEmail, firstName = "Mel", lastName = "Member" });
        await (await tenant.Client.GiftAsync(memberEmail, 1m)).AssertErrorAsync(422, "VALIDATION_ERROR");

        await (await tenant.Client.GiftAsync($"nobody-{Guid.NewGuid():N}@example.test", 1m)).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
        Assert.Equal(balance, await tenant.Client.BalanceAsync());
        Assert.Single(await HistoryAsync(tenant.Client));
    }

    [Theory]
    [InlineData("""{"recipientEmail":"{email}","amount":0}""", 422)]
    [InlineData("""{"recipientEmail":"{email}","amount":-5}""", 422)]
    [InlineData("""{"recipientEmail":"{email}","amount":1.23456}""", 422)]
    [InlineData("""{"recipientEmail":"{email}","amount":10000000000}""", 422)]
    [InlineData("""{"recipientEmail":"{email}","amount":"ten"}""", 400)]
    [InlineData("""{"recipientEmail":"{email}","amount":[1]}""", 400)]
    [InlineData("""{"recipientEmail":"{email}"}""", 422)]
    [InlineData("""{"recipientEmail":"not-an-email","amount":1}""", 422)]
    [InlineData("""{"amount":1}""", 422)]
    [InlineData("""{"recipientEmail":"{email}","amount":1,"message":"{long}"}""", 422)]
    [InlineData("""{"recipientEmail":"{email}","amount":""", 400)]
    public async Task Bad_gift_requests_are_4xx_envelopes_and_move_nothing(string body, int status)
    {
        var sender = await factory.CreateTenantAsync();
        var recipient = await factory.CreateTenantAsync();
        var json = body.Replace("{email}", recipient.Email).Replace("{long}", new string('x', 501));

        var response = await sender.Client.PostAsync("/api/v1/credits/gift", new StringContent(json, Encoding.UTF8, "application/json"));

        await response.AssertErrorAsync(status, "VALIDATION_ERROR");
        Assert.Equal(factory.SignupCredits(), await sender.Client.BalanceAsync());
        Assert.Equal(factory.SignupCredits(), await recipient.Client.BalanceAsync());
    }

    [Fact]
    public async Task Only_tenant_admins_may_gift_but_every_member_sees_the_balance()
    {
        var tenant = await factory.CreateTenantAsync();
        var recipient = await factory.CreateTenantAsync();
        var member = await TestMembers.InviteAndSignInAsync(factory, tenant);

        await (await member.GiftAsync(recipient.Email, 1m)).AssertErrorAsync(403, "INSUFFICIENT_PERMISSIONS");
        Assert.Equal(factory.SignupCredits(), await member.BalanceAsync());
        Assert.Single(await HistoryAsync(member));
        await (await factory.CreateClient().GetAsync("/api/v1/credits/balance")).AssertErrorAsync(401, "AUTHENTICATION_FAILED");
        await (await factory.CreateClient().GiftAsync(recipient.Email, 1m)).AssertErrorAsync(401, "AUTHENTICATION_FAILED");
    }

    [Fact]
    public async Task Platform_admins_adjust_balances_and_nobody_else_can()
    {
        var tenant = await factory.CreateTenantAsync();
        var admin = await AdminAsync();
        var start = await tenant.Client.BalanceAsync();

        var purchase = await AdjustAsync(admin, tenant.TenantId, new { amount = 50.25m, type = "PURCHASE", reason = "Invoice 2026-001" });
        Assert.Equal(HttpStatusCode.Created, purchase.StatusCode);
        var row = await purchase.ReadJsonAsync();
        Assert.Equal("PURCHASE", row.GetProperty("type").GetString());
        Assert.Equal(50.25m, row.GetProperty("amount").GetDecimal());
        Assert.Equal(start + 50.25m, row.GetProperty("balanceAfter").GetDecimal());
        Assert.Equal("Invoice 2026-001", row.GetProperty("description").GetString());
        Assert.Equal(start + 50.25m, await tenant.Client.BalanceAsync());

        // An adjustment may remove credits, down to zero but not below.
        var all = start + 50.25m;
        var tooMuch = await (await AdjustAsync(admin, tenant.TenantId, new { amount = -(all + 1), type = "ADJUSTMENT", reason = "Too much" }))
            .AssertErrorAsync(422, "VALIDATION_ERROR");
        Assert.Contains("below zero", tooMuch.GetProperty("message").GetString());
        var drain = await AdjustAsync(admin, tenant.TenantId, new { amount = -all, type = "ADJUSTMENT", reason = "Chargeback" });
        Assert.Equal(0m, (await drain.ReadJsonAsync()).GetProperty("balanceAfter").GetDecimal());
        Assert.Equal(0m, await tenant.Client.BalanceAsync());

        await (await AdjustAsync(admin, tenant.TenantId, new { amount = 5, type = "USAGE", reason = "x" })).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await AdjustAsync(admin, tenant.TenantId, new { amount = 5, type = "GIFT", reason = "x" })).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await AdjustAsync(admin, tenant.TenantId, new { amount = -5, type = "PURCHASE", reason = "x" })).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await AdjustAsync(admin, tenant.TenantId, new { amount = 5, type = "PURCHASE" })).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await AdjustAsync(admin, tenant.TenantId, new { amount = 5, type = "KING", reason = "x" })).AssertErrorAsync(400, "VALIDATION_ERROR");
        await (await AdjustAsync(admin, Guid.NewGuid(), new { amount = 5, type = "PURCHASE", reason = "x" })).AssertErrorAsync(404, "RESOURCE_NOT_FOUND");
        await (await AdjustAsync(tenant.Client, tenant.TenantId, new { amount = 5, type = "PURCHASE", reason = "x" })).AssertErrorAsync(403, "INSUFFICIENT_PERMISSIONS");
        var member = await TestMembers.InviteAndSignInAsync(factory, tenant);
        await (await AdjustAsync(member, tenant.TenantId, new { amount = 5, type = "PURCHASE", reason = "x" })).AssertErrorAsync(403, "INSUFFICIENT_PERMISSIONS");

        Assert.Equal(0m, await tenant.Client.BalanceAsync());
        Assert.Equal(3, (await HistoryAsync(tenant.Client)).Count);
        await factory.AssertLedgerInvariantAsync(tenant.TenantId);
    }

    [Fact]
    public async Task Usage_is_listed_by_date_for_admins_and_only_their_own_for_members()
    {
        var tenant = await factory.CreateTenantAsync();
        var member = await TestMembers.InviteAndSignInAsync(factory, tenant);
        var memberId = (await (await member.GetAsync("/api/v1/users/me")).ReadJsonAsync()).GetProperty("id").GetGuid();
        var before = DateTime.UtcNow.AddMinutes(-1).ToString("o");
        var later = DateTime.UtcNow.AddHours(1).ToString("o");
        await factory.AsTenantAsync(tenant, (db, ledger) => db.InTransactionAsync(async ct =>
        {
            await ledger.SettleUsageAsync(CreditsTestSupport.Usage(tenant, 0.5m), ct);
            await ledger.SettleUsageAsync(CreditsTestSupport.Usage(tenant, 0m, userId: memberId), ct);
            return 0;
        }, CancellationToken.None));

        var all = await (await tenant.Client.GetAsync("/api/v1/credits/usage")).ReadJsonAsync();
        Assert.Equal(2, all.GetProperty("total").GetInt32());
        var item = all.GetProperty("items")[0];
        Assert.Equal(1500, item.GetProperty("totalTokens").GetInt32());
        Assert.Equal("gpt-test", item.GetProperty("model").GetString());
        var own = await (await member.GetAsync("/api/v1/credits/usage")).ReadJsonAsync();
        Assert.Equal(memberId, Assert.Single(own.GetProperty("items").EnumerateArray()).GetProperty("userId").GetGuid());

        async Task<int> TotalAsync(string query) =>
            (await (await tenant.Client.GetAsync($"/api/v1/credits/usage?{query}")).ReadJsonAsync()).GetProperty("total").GetInt32();
        Assert.Equal(2, await TotalAsync($"dateFrom={before}&dateTo={later}"));
        Assert.Equal(2, await TotalAsync("dateFrom=2000-01-01"));
        Assert.Equal(0, await TotalAsync($"dateFrom={later}"));
        Assert.Equal(0, await TotalAsync($"dateTo={before}"));
        await (await tenant.Client.GetAsync($"/api/v1/credits/usage?dateFrom={later}&dateTo={before}")).AssertErrorAsync(422, "VALIDATION_ERROR");
        await (await tenant.Client.GetAsync("/api/v1/credits/usage?dateFrom=yesterday")).AssertErrorAsync(400, "VALIDATION_ERROR");
        await (await tenant.Client.GetAsync("/api/v1/credits/usage?pageSize=0")).AssertErrorAsync(422, "VALIDATION_ERROR");
    }

    [Fact]
    public async Task Tenants_never_see_each_others_ledger_or_usage()
    {
        var a = await factory.CreateTenantAsync();
        var b = await factory.CreateTenantAsync();
        var other = await factory.CreateTenantAsync();
        Assert.Equal(HttpStatusCode.Created, (await a.Client.GiftAsync(other.Email, 1m)).StatusCode);
        await factory.AsTenantAsync(a, (db, ledger) => db.InTransactionAsync(
            ct => ledger.SettleUsageAsync(CreditsTestSupport.Usage(a, 0.25m), ct), CancellationToken.None));

        var aIds = (await HistoryAsync(a.Client)).Select(t => t.GetProperty("id").GetGuid()).ToHashSet();
        Assert.Equal(3, aIds.Count);
        var bHistory = await HistoryAsync(b.Client);
        Assert.Single(bHistory);
        Assert.DoesNotContain(bHistory, t => aIds.Contains(t.GetProperty("id").GetGuid()));
        Assert.Equal(0, (await (await b.Client.GetAsync("/api/v1/credits/usage")).ReadJsonAsync()).GetProperty("total").GetInt32());
        Assert.Equal(1, (await (await a.Client.GetAsync("/api/v1/credits/usage")).ReadJsonAsync()).GetProperty("total").GetInt32());
        Assert.Equal(factory.SignupCredits(), await b.Client.BalanceAsync());

        // Row-level security holds even for raw SQL in B's scope.
        var seenByB = await factory.AsTenantAsync(b, async (db, _) => new[]
        {
            await db.Database.SqlQuery<long>($"SELECT count(*) AS \"Value\" FROM credit_transactions WHERE tenant_id = {a.TenantId}").SingleAsync(),
            await db.Database.SqlQuery<long>($"SELECT count(*) AS \"Value\" FROM credit_accounts WHERE tenant_id = {a.TenantId}").SingleAsync(),
            await db.Database.SqlQuery<long>($"SELECT count(*) AS \"Value\" FROM usage_records WHERE tenant_id = {a.TenantId}").SingleAsync(),
        });
        Assert.All(seenByB, count => Assert.Equal(0, count));
    }

    [Fact]
    public async Task The_ledger_is_append_only_in_the_database()
    {
        var tenant = await factory.CreateTenantAsync();
        var update = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => factory.InSystemScopeAsync(db =>
            db.Database.ExecuteSqlAsync($"UPDATE credit_transactions SET amount = 1000000 WHERE tenant_id = {tenant.TenantId}")));
        Assert.Contains("append-only", update.MessageText);
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => factory.InSystemScopeAsync(db =>
            db.Database.ExecuteSqlAsync($"DELETE FROM credit_transactions WHERE tenant_id = {tenant.TenantId}")));
        Assert.Single(await HistoryAsync(tenant.Client));

        // Removing the tenant itself still takes its ledger with it.
        var doomed = await factory.CreateTenantAsync();
        var remaining = await factory.InSystemScopeAsync(async db =>
        {
            await db.Tenants.Where(t => t.Id == doomed.TenantId).ExecuteDeleteAsync();
            return await db.CreditTransactions.CountAsync(t => t.TenantId == doomed.TenantId);
        });
        Assert.Equal(0, remaining);
    }
}
