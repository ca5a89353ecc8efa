namespace AiPlatform.Core.Knowledge.Documents;

/// <summary>Where the original bytes of uploads live, keyed by tenant and blob id.</summary>
public interface IBlobStore
{
    /// <summary>Stores everything <paramref name="content"/> holds from its current position under <paramref name="blobId"/>.</summary>
    Task PutAsync(Guid tenantId, Guid blobId, Stream content, CancellationToken cancellationToken = default);

    /// <summary>The stored bytes, or null if the blob does not exist (or belongs to another tenant).</summary>
    Task<Stream?> OpenReadAsync(Guid tenantId, Guid blobId, CancellationToken cancellationToken = default);

    /// <summary>Removes the blob; true if it existed.</summary>
    Task<bool> DeleteAsync(Guid tenantId, Guid blobId, CancellationToken cancellationToken = default);
}
