using AiPlatform.Api.Apis;
using AiPlatform.Core.Credits;

namespace AiPlatform.UnitTests.Credits;

public sealed class CreditRulesTests
{
    [Theory]
    [InlineData("0.0001", true)]
    [InlineData("12.5", true)]
    [InlineData("1000000000", true)]
    [InlineData("0", false)]
    [InlineData("-5", false)]
    [InlineData("1.23456", false)]
    [InlineData("1000000000.0001", false)]
    public void Transfer_amounts_are_positive_with_at_most_four_decimals(string amount, bool valid) =>
        Assert.Equal(valid, CreditAmounts.IsValidTransfer(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Trailing_zeros_do_not_count_as_decimals() =>
        Assert.True(CreditAmounts.HasValidScale(1.50000000m));

    [Theory]
    [InlineData(1000, 500, "0.01", "0.03", "0.025")]
    [InlineData(1, 0, "0.0001", "0", "0.0001")] // 0.0000001 rounds up, never down to free
    [InlineData(0, 0, "5", "5", "0")]
    [InlineData(123, 456, "0", "0", "0")] // the local model
    public void Cost_is_priced_per_1k_tokens_and_rounded_up(int prompt, int completion, string input, string output, string expected)
    {
        static decimal D(string s) => decimal.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(D(expected), CreditAmounts.CostOf(prompt, completion, D(input), D(output)));
    }

    [Fact]
    public void Amounts_read_back_from_numeric_lose_their_trailing_zeros()
    {
        Assert.Equal("100", CreditAmounts.Format(100.0000m));
        Assert.Equal("12.5", CreditAmounts.Format(12.5000m));
        Assert.Equal("-0.0001", CreditAmounts.Format(-0.0001m));
    }

    [Theory]
    [InlineData("friend@example.com", "10", null, true)]
    [InlineData("friend@example.com", "0", null, false)]
    [InlineData("friend@example.com", "-1", null, false)]
    [InlineData("friend@example.com", "0.00001", null, false)]
    [InlineData("not-an-email", "10", null, false)]
    [InlineData(null, "10", null, false)]
    [InlineData("friend@example.com", null, null, false)]
    public void Gift_requests(string? email, string? amount, string? message, bool valid)
    {
        var request = new GiftCreditsRequest(email, amount is null ? null : decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), message);
        Assert.Equal(valid, new GiftCreditsRequestValidator().Validate(request).IsValid);
    }

    [Fact]
    public void Gift_message_is_limited() =>
        Assert.False(new GiftCreditsRequestValidator().Validate(
            new GiftCreditsRequest("a@b.co", 1m, new string('x', CreditLimits.GiftMessageLength + 1))).IsValid);

    [Theory]
    [InlineData(CreditTransactionType.Purchase, "50", true)]
    [InlineData(CreditTransactionType.Refund, "2.5", true)]
    [InlineData(CreditTransactionType.Adjustment, "-3", true)]
    [InlineData(CreditTransactionType.Purchase, "-3", false)]
    [InlineData(CreditTransactionType.Refund, "0", false)]
    [InlineData(CreditTransactionType.Adjustment, "0", false)]
    [InlineData(CreditTransactionType.Adjustment, "0.12345", false)]
    [InlineData(CreditTransactionType.Usage, "5", false)]
    [InlineData(CreditTransactionType.Gift, "5", false)]
    [InlineData(null, "5", false)]
    public void Admin_adjustments(CreditTransactionType? type, string amount, bool valid)
    {
        var request = new AdjustCreditsRequest(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), type, "Support ticket 42");
        Assert.Equal(valid, new AdjustCreditsRequestValidator().Validate(request).IsValid);
    }

    [Fact]
    public void Admin_adjustments_need_a_reason() =>
        Assert.False(new AdjustCreditsRequestValidator().Validate(new AdjustCreditsRequest(5m, CreditTransactionType.Purchase, " ")).IsValid);

    [Theory]
    [InlineData(null, true)]
    [InlineData("GIFT", true)]
    [InlineData("usage", true)]
    [InlineData("KING", false)]
    public void History_type_filter_uses_the_api_spelling(string? type, bool valid) =>
        Assert.Equal(valid, new CreditHistoryQueryValidator().Validate(new CreditHistoryQuery(null, null, type)).IsValid);

    [Fact]
    public void Usage_date_range_must_not_be_reversed()
    {
        var from = new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc);
        Assert.True(new UsageQueryValidator().Validate(new UsageQuery(null, null, from, from.AddDays(1))).IsValid);
        Assert.False(new UsageQueryValidator().Validate(new UsageQuery(null, null, from, from.AddDays(-1))).IsValid);
        Assert.Equal(DateTimeKind.Utc, UsageQuery.AsUtc(new DateTime(2026, 2, 1)).Kind);
    }
}
