namespace AiPlatform.AppHost;

/// <summary>
/// Aspire mode (compiled only when UseAspire=true): the application model, checked against the Aspire 13.1 hosting
/// APIs. Local/ reproduces the same resources and environment without containers.
/// </summary>
internal static class AspireHost
{
    public static void Run(string[] args)
    {
        var builder = DistributedApplication.CreateBuilder(args);

        // Stores. pgvector: Aspire has no helper, swap the image (pg17 keeps the default data path).
        var postgres = builder.AddPostgres("postgres")
            .WithImage("pgvector/pgvector", "pg17");
        if (builder.ExecutionContext.IsRunMode)
        {
            postgres.WithDataVolume();
        }
        var db = postgres.AddDatabase("aiplatformdb");
        var cache = builder.AddRedis("cache");
        var messaging = builder.AddRabbitMQ("messaging")
            .WithManagementPlugin();

        // Secrets: values from configuration Parameters:jwtkey / Parameters:adminpassword (user secrets), or the
        // dashboard asks for them.
        var jwtKey = builder.AddParameter("jwtkey", secret: true);
        var adminPassword = builder.AddParameter("adminpassword", secret: true);

        var api = builder.AddProject<Projects.AiPlatform_Api>("api")
            .WithReference(db).WaitFor(db)
            .WithReference(cache).WaitFor(cache)
            .WithReference(messaging).WaitFor(messaging)
            .WithEnvironment("Jwt__SigningKey", jwtKey)
            .WithEnvironment("Seed__AdminEmail", "admin@aiplatform.local")
            .WithEnvironment("Seed__AdminPassword", adminPassword)
            .WithHttpHealthCheck("/health");

        builder.AddProject<Projects.AiPlatform_Worker>("worker")
            .WithReference(db).WaitFor(db)
            .WithReference(cache).WaitFor(cache)
            .WithReference(messaging).WaitFor(messaging)
            .WithReference(api)
            .WithHttpHealthCheck("/health");

        builder.AddProject<Projects.AiPlatform_Web>("web")
            .WithExternalHttpEndpoints()
            .WithReference(api)
            .WithHttpHealthCheck("/health");

        builder.Build().Run();
    }
}
