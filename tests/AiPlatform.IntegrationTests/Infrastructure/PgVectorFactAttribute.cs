namespace AiPlatform.IntegrationTests.Infrastructure;

/// <summary>A test of the pgvector search path: skipped, saying why, where the tests' databases have no pgvector.</summary>
public sealed class PgVectorFactAttribute : FactAttribute
{
    public PgVectorFactAttribute()
    {
        if (!TestServers.HasPgVector)
        {
            Skip = "pgvector is not installed on the tests' PostgreSQL server, so knowledge search scans vectors in memory " +
                "there (every other knowledge test runs that path).";
        }
    }
}
