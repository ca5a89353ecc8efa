using AiPlatform.Core.Common;
using FluentValidation;

namespace AiPlatform.Api.Infrastructure;

/// <summary>The <c>page</c> and <c>pageSize</c> query parameters of every list endpoint.</summary>
public record PageQuery(int? Page, int? PageSize)
{
    public PageRequest ToPageRequest() => new(Page ?? 1, PageSize ?? PageRequest.DefaultPageSize);
}

public sealed class PageQueryValidator : AbstractValidator<PageQuery>
{
    public PageQueryValidator()
    {
        RuleFor(q => q.Page).GreaterThanOrEqualTo(1).WithMessage("page must be 1 or more.");
        RuleFor(q => q.PageSize).InclusiveBetween(1, PageRequest.MaxPageSize)
            .WithMessage($"pageSize must be between 1 and {PageRequest.MaxPageSize}.");
    }
}
