using System.Text.Json;
using FluentValidation;

namespace AiPlatform.Api.Infrastructure;

/// <summary>
/// Validates every handler argument that has a FluentValidation validator before the handler runs,
/// answering 422 with every failing field at once.
/// </summary>
public static class ValidationFilter
{
    public static RouteGroupBuilder WithRequestValidation(this RouteGroupBuilder group)
    {
        group.AddEndpointFilterFactory((factoryContext, next) =>
        {
            var registered = factoryContext.ApplicationServices.GetRequiredService<IServiceProviderIsService>();
            var validated = factoryContext.MethodInfo.GetParameters()
                .Select((parameter, index) => (index, validatorType: typeof(IValidator<>).MakeGenericType(parameter.ParameterType)))
                .Where(p => registered.IsService(p.validatorType))
                .ToArray();
            if (validated.Length == 0)
            {
                return next;
            }

            return async invocationContext =>
            {
                var errors = new Dictionary<string, string[]>();
                foreach (var (index, validatorType) in validated)
                {
                    if (invocationContext.Arguments[index] is not { } argument)
                    {
                        continue;
                    }

                    var validator = (IValidator)invocationContext.HttpContext.RequestServices.GetRequiredService(validatorType);
                    var result = await validator.ValidateAsync(
                        new ValidationContext<object>(argument), invocationContext.HttpContext.RequestAborted);
                    foreach (var group in result.Errors.GroupBy(e => JsonNamingPolicy.CamelCase.ConvertName(e.PropertyName)))
                    {
                        errors[group.Key] = group.Select(e => e.ErrorMessage).ToArray();
                    }
                }

                return errors.Count > 0 ? ApiError.Validation(errors) : await next(invocationContext);
            };
        });
        return group;
    }
}
