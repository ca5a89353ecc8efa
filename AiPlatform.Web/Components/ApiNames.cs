namespace AiPlatform.Web.Components;

public static class ApiNames
{
    /// <summary>An API enum value for people: <c>TENANT_ADMIN</c> → "Tenant admin".</summary>
    public static string Humanize(string apiName) =>
        apiName.Length == 0 ? apiName : apiName[0] + apiName[1..].Replace('_', ' ').ToLowerInvariant();
}
