using Microsoft.EntityFrameworkCore;

namespace AiPlatform.Core.Common;

/// <summary>The list shape every collection endpoint returns.</summary>
public sealed record PagedResult<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total, int TotalPages);

/// <summary>1-based page and page size, validated by the API before a query runs.</summary>
public sealed record PageRequest(int Page, int PageSize)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;

    public int Skip => (Page - 1) * PageSize;
}

public static class PagingExtensions
{
    public static async Task<PagedResult<T>> ToPagedResultAsync<T>(
        this IQueryable<T> query, PageRequest page, CancellationToken cancellationToken)
    {
        var total = await query.CountAsync(cancellationToken);
        var items = await query.Skip(page.Skip).Take(page.PageSize).ToListAsync(cancellationToken);
        var totalPages = (int)Math.Ceiling(total / (double)page.PageSize);
        return new PagedResult<T>(items, page.Page, page.PageSize, total, totalPages);
    }
}
