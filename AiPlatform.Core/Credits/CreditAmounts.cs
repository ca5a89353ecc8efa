using System.Globalization;

namespace AiPlatform.Core.Credits;

/// <summary>How credit amounts are stored, checked, priced and shown.</summary>
public static class CreditAmounts
{
    /// <summary>numeric(18,4): every amount has at most four decimals.</summary>
    public const int Precision = 18;

    public const int Scale = 4;

    /// <summary>The most one gift or adjustment may move.</summary>
    public const decimal MaxAmount = 1_000_000_000m;

    public static bool HasValidScale(decimal amount) => decimal.Round(amount, Scale) == amount;

    /// <summary>A gift's amount, or a purchase's or refund's: positive, at most four decimals, at most <see cref="MaxAmount"/>.</summary>
    public static bool IsValidTransfer(decimal amount) => amount > 0 && amount <= MaxAmount && HasValidScale(amount);

    /// <summary>Rounds a cost up to the ledger's precision, so no call is free just because it is small.</summary>
    public static decimal RoundUp(decimal amount) => Math.Ceiling(amount * 10_000m) / 10_000m;

    /// <summary>What a call costs at per-1k-token prices, rounded up to four decimals.</summary>
    public static decimal CostOf(int promptTokens, int completionTokens, decimal inputCostPer1kTokens, decimal outputCostPer1kTokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(promptTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(completionTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(inputCostPer1kTokens);
        ArgumentOutOfRangeException.ThrowIfNegative(outputCostPer1kTokens);
        return RoundUp((promptTokens * inputCostPer1kTokens + completionTokens * outputCostPer1kTokens) / 1000m);
    }

    /// <summary>Drops trailing zeros (numeric(18,4) reads back as 100.0000).</summary>
    public static decimal Normalize(decimal amount) => amount / 1.0000000000000000000000000000m;

    /// <summary>For messages: invariant culture, no trailing zeros.</summary>
    public static string Format(decimal amount) => Normalize(amount).ToString(CultureInfo.InvariantCulture);
}

public static class CreditLimits
{
    public const int DescriptionLength = 1000;
    public const int GiftMessageLength = 500;
    public const int ReasonLength = 500;
}
