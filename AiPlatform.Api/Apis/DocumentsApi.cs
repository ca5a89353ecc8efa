using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using AiPlatform.Api.Identity;
using AiPlatform.Api.Infrastructure;
using AiPlatform.Core.Common;
using AiPlatform.Core.Data;
using AiPlatform.Core.Knowledge.Chunking;
using AiPlatform.Core.Knowledge.Documents;
using AiPlatform.Core.Knowledge.Index;
using AiPlatform.Core.Knowledge.Extraction;
using AiPlatform.Core.Messaging;
using FluentValidation;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AiPlatform.Api.Apis;

public static class DocumentsApi
{
    public static RouteGroupBuilder MapDocumentsApi(this RouteGroupBuilder v1)
    {
        var limits = ((IEndpointRouteBuilder)v1).ServiceProvider.GetRequiredService<IOptions<DocumentOptions>>().Value;
        var api = v1.MapGroup("/documents").WithTags("Documents");
        api.MapGet("/", ListDocuments);
        api.MapGet("/{id:guid}", GetDocument);
        api.MapGet("/{id:guid}/download", DownloadDocument);
        // The global JSON body limit would refuse any real file: this endpoint allows the largest file plus the envelope.
        api.MapPost("/", UploadDocument)
            .WithMetadata(new RequestSizeLimitAttribute(limits.MaxRequestBytes))
            .Accepts<IFormFile>("multipart/form-data");
        api.MapPost("/{id:guid}/process", ProcessDocument);
        api.MapPut("/{id:guid}/assistants", LinkAssistants);
        api.MapDelete("/{id:guid}", DeleteDocument);
        return api;
    }

    public static async Task<Ok<PagedResult<DocumentSummaryResponse>>> ListDocuments(
        [AsParameters] DocumentListQuery query, AppDbContext db, CancellationToken cancellationToken)
    {
        var documents = db.Documents.AsNoTracking();
        if (ApiEnum.Parse<DocumentType>(query.Type) is { } type)
        {
            documents = documents.Where(d => d.Type == type);
        }

        if (ApiEnum.Parse<DocumentStatus>(query.Status) is { } status)
        {
            documents = documents.Where(d => d.Status == status);
        }

        if (!string.IsNullOrWhiteSpace(query.Search))
        {
            var search = query.Search.Trim();
            var pattern = $"%{EscapeLike(search)}%";
            // By name, or by content once the document is indexed (the chunks' full-text index).
            documents = documents.Where(d => EF.Functions.ILike(d.FileName, pattern, "\\")
                || db.DocumentChunks.Any(c => c.DocumentId == d.Id && c.SearchVector.Matches(EF.Functions.WebSearchToTsQuery("english", search))));
        }

        var page = await documents.OrderByDescending(d => d.UploadedAt).ThenByDescending(d => d.Id)
            .Select(DocumentSummaryResponse.Projection)
            .ToPagedResultAsync(query.ToPageRequest(), cancellationToken);
        return TypedResults.Ok(page);
    }

    public static async Task<Results<Ok<DocumentResponse>, ApiError>> GetDocument(Guid id, AppDbContext db, CancellationToken cancellationToken)
    {
        var document = await db.Documents.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, cancellationToken);
        return document is null ? ApiError.NotFound("Document") : TypedResults.Ok(DocumentResponse.From(document));
    }

    public static async Task<Results<FileStreamHttpResult, ApiError>> DownloadDocument(
        Guid id, AppDbContext db, IBlobStore blobs, CancellationToken cancellationToken)
    {
        var document = await db.Documents.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (document is null || await blobs.OpenReadAsync(document.TenantId, document.BlobId, cancellationToken) is not { } content)
        {
            return ApiError.NotFound("Document");
        }

        return TypedResults.Stream(content, document.ContentType, document.FileName);
    }

    /// <summary>
    /// Multipart upload: <c>file</c>, optional <c>metadata</c> (a JSON object) and <c>assistantIds</c> (a JSON array or
    /// repeated fields). The type comes from the content; the row, its blob and the <c>document.uploaded</c> event
    /// commit together.
    /// </summary>
    public static async Task<Results<Accepted<DocumentUploadResponse>, ApiError>> UploadDocument(
        HttpRequest request, ClaimsPrincipal principal, AppDbContext db, IBlobStore blobs, IOptions<DocumentOptions> options,
        IOptions<ChunkingOptions> chunking, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType || request.ContentType?.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase) != true)
        {
            return new ApiError(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType,
                "Upload the document as multipart/form-data with the file in the 'file' field.");
        }

        var limits = options.Value;
        // Form files are buffered in memory up to 64 KB and in a temporary file beyond: the stream is seekable.
        request.HttpContext.Features.Set<IFormFeature>(new FormFeature(request, new FormOptions
        {
            MultipartBodyLengthLimit = limits.MaxRequestBytes,
            ValueLengthLimit = DocumentLimits.MetadataBytes * 4,
        }));
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException e)
        {
            return Invalid("file", $"The multipart body could not be read: {e.Message}");
        }

        var file = form.Files.GetFile("file");
        if (file is null)
        {
            return Invalid("file", "A file is required in the 'file' field.");
        }

        var (metadata, metadataError) = ParseMetadata(form["metadata"]);
        if (metadataError is not null)
        {
            return Invalid("metadata", metadataError);
        }

        var (assistantIds, assistantsError) = ParseAssistantIds(form["assistantIds"]);
        if (assistantsError is not null)
        {
            return Invalid("assistantIds", assistantsError);
        }

        if (await UnknownAssistantsAsync(db, assistantIds, cancellationToken) is { } unknown)
        {
            return unknown;
        }

        var fileName = CleanFileName(file.FileName);
        await using var content = file.OpenReadStream();
        Stream seekable = content;
        FileBufferingReadStream? buffered = null;
        if (!content.CanSeek)
        {
            buffered = new FileBufferingReadStream(content, 4 * 1024 * 1024);
            await buffered.DrainAsync(cancellationToken);
            buffered.Position = 0;
            seekable = buffered;
        }

        await using var _ = buffered;
        var detection = await DocumentTypeDetector.DetectAsync(seekable, fileName, file.ContentType, cancellationToken);
        switch (detection.Outcome)
        {
            case DocumentDetectionOutcome.Unsupported:
                return new ApiError(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType, detection.Reason!);
            case DocumentDetectionOutcome.Empty or DocumentDetectionOutcome.Unreadable:
                return Invalid("file", detection.Reason!);
        }

        var type = detection.Type!.Value;
        var size = seekable.Length;
        if (size > limits.MaxBytesFor(type))
        {
            return new ApiError(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge,
                $"The file is {size} bytes; the limit for {ApiEnum.Name(type)} files is {limits.MaxBytesFor(type)} bytes.");
        }

        seekable.Position = 0;
        var sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(seekable, cancellationToken));
        var tenantId = db.Tenant.RequiredTenantId;
        var userId = principal.UserId();
        var now = clock.GetUtcNow().UtcDateTime;
        var document = await db.InTransactionAsync(async ct =>
        {
            var document = new Document
            {
                TenantId = tenantId,
                UploadedByUserId = userId,
                FileName = fileName,
                Type = type,
                ContentType = ContentTypeFor(type, file.ContentType),
                Size = size,
                Sha256 = sha256,
                BlobId = Guid.CreateVersion7(),
                ChunkSize = chunking.Value.ChunkSize,
                Overlap = chunking.Value.Overlap,
                Metadata = metadata!,
                AssistantIds = assistantIds,
                UploadedAt = now,
            };
            seekable.Position = 0;
            await blobs.PutAsync(tenantId, document.BlobId, seekable, ct);
            db.Documents.Add(document);
            db.AddIntegrationEvent(new DocumentUploadedIntegrationEvent(document.Id, tenantId, document.Version));
            await db.SaveChangesAsync(ct);
            return document;
        }, cancellationToken);

        return TypedResults.Accepted($"/api/v1/documents/{document.Id}",
            new DocumentUploadResponse(document.Id, document.FileName, document.Type, document.Status, document.Size, document.UploadedAt));
    }

    /// <summary>Queues the document again with new chunking settings (a new version).</summary>
    public static async Task<Results<Accepted<DocumentResponse>, ApiError>> ProcessDocument(
        Guid id, ProcessDocumentRequest? request, AppDbContext db, IOptions<ChunkingOptions> chunking, CancellationToken cancellationToken)
    {
        var document = await db.InTransactionAsync(async ct =>
        {
            var document = await db.Documents.SingleOrDefaultAsync(d => d.Id == id, ct);
            if (document is null)
            {
                return null;
            }

            var chunkSize = request?.ChunkSize ?? chunking.Value.ChunkSize;
            var overlap = request?.Overlap ?? Math.Min(chunking.Value.Overlap, (chunkSize - 1) / 2);
            document.RequestProcessing(chunkSize, overlap);
            db.AddIntegrationEvent(new DocumentUploadedIntegrationEvent(document.Id, document.TenantId, document.Version));
            await db.SaveChangesAsync(ct);
            return document;
        }, cancellationToken);
        return document is null
            ? ApiError.NotFound("Document")
            : TypedResults.Accepted($"/api/v1/documents/{document.Id}", DocumentResponse.From(document));
    }

    /// <summary>
    /// Sets which assistants ground their answers on the document (an empty list unlinks it from all). Its chunks stay
    /// as they are: retrieval reads the links on every search.
    /// </summary>
    public static async Task<Results<Ok<DocumentResponse>, ApiError>> LinkAssistants(
        Guid id, LinkAssistantsRequest request, AppDbContext db, CancellationToken cancellationToken)
    {
        var assistantIds = request.AssistantIds!.Distinct().ToList();
        if (await UnknownAssistantsAsync(db, assistantIds, cancellationToken) is { } unknown)
        {
            return unknown;
        }

        var document = await db.Documents.SingleOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (document is null)
        {
            return ApiError.NotFound("Document");
        }

        document.AssistantIds = assistantIds;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(DocumentResponse.From(document));
    }

    /// <summary>A 422 naming the ids that are not the tenant's assistants, or null if all are.</summary>
    private static async Task<ApiError?> UnknownAssistantsAsync(AppDbContext db, List<Guid> assistantIds, CancellationToken cancellationToken)
    {
        if (assistantIds.Count == 0)
        {
            return null;
        }

        var found = await db.Assistants.Where(a => assistantIds.Contains(a.Id)).Select(a => a.Id).ToListAsync(cancellationToken);
        var missing = assistantIds.Except(found).ToList();
        return missing.Count > 0 ? Invalid("assistantIds", $"No such assistant: {string.Join(", ", missing)}.") : null;
    }

    public static async Task<Results<NoContent, ApiError>> DeleteDocument(
        Guid id, AppDbContext db, IBlobStore blobs, CancellationToken cancellationToken)
    {
        var deleted = await db.InTransactionAsync(async ct =>
        {
            var document = await db.Documents.AsNoTracking().SingleOrDefaultAsync(d => d.Id == id, ct);
            if (document is null)
            {
                return false;
            }

            // Its chunks go with it (cascade); the revision tells every API instance to drop their cached vectors.
            await db.Documents.Where(d => d.Id == id).ExecuteDeleteAsync(ct);
            await blobs.DeleteAsync(document.TenantId, document.BlobId, ct);
            await db.BumpKnowledgeRevisionAsync(document.TenantId, ct);
            return true;
        }, cancellationToken);
        return deleted ? TypedResults.NoContent() : ApiError.NotFound("Document");
    }

    private static ApiError Invalid(string field, string message) => ApiError.FromDomain(DomainException.Validation(field, message));

    private static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");

    private static string CleanFileName(string? fileName)
    {
        var name = Path.GetFileName((fileName ?? "").Replace('\\', '/')).Trim();
        name = new string(name.Where(c => !char.IsControl(c)).ToArray());
        if (name.Length == 0)
        {
            name = "document";
        }

        if (name.Length > DocumentLimits.FileNameLength)
        {
            var extension = Path.GetExtension(name);
            extension = extension.Length > 20 ? "" : extension;
            name = name[..(DocumentLimits.FileNameLength - extension.Length)] + extension;
        }

        return name;
    }

    /// <summary>The declared content type when it is a plausible one, else the type's standard one.</summary>
    private static string ContentTypeFor(DocumentType type, string? declared)
    {
        var standard = type switch
        {
            DocumentType.Pdf => "application/pdf",
            DocumentType.Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            DocumentType.Md => "text/markdown",
            DocumentType.Html => "text/html",
            DocumentType.Csv => "text/csv",
            DocumentType.Json => "application/json",
            _ => "text/plain",
        };
        if (string.IsNullOrWhiteSpace(declared) || declared.Length > DocumentLimits.ContentTypeLength
            || !Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(declared, out var parsed))
        {
            return standard;
        }

        var media = parsed.MediaType.Value ?? "";
        var fits = type switch
        {
            DocumentType.Pdf or DocumentType.Docx or DocumentType.Json => media.Equals(standard, StringComparison.OrdinalIgnoreCase),
            _ => media.StartsWith("text/", StringComparison.OrdinalIgnoreCase),
        };
        return fits ? declared : standard;
    }

    private sealed record MetadataParse(string? Json, string? Error);

    private static MetadataParse ParseMetadata(Microsoft.Extensions.Primitives.StringValues values)
    {
        if (values.Count == 0 || string.IsNullOrWhiteSpace(values[0]))
        {
            return new MetadataParse("{}", null);
        }

        if (values.Count > 1)
        {
            return new MetadataParse(null, "Send metadata once, as one JSON object.");
        }

        var text = values[0]!;
        if (System.Text.Encoding.UTF8.GetByteCount(text) > DocumentLimits.MetadataBytes)
        {
            return new MetadataParse(null, $"metadata must be at most {DocumentLimits.MetadataBytes} bytes of JSON.");
        }

        try
        {
            using var json = JsonDocument.Parse(text);
            return json.RootElement.ValueKind == JsonValueKind.Object
                ? new MetadataParse(json.RootElement.GetRawText(), null)
                : new MetadataParse(null, "metadata must be a JSON object.");
        }
        catch (JsonException e)
        {
            return new MetadataParse(null, $"metadata is not valid JSON: {e.Message}");
        }
    }

    private static (List<Guid> Ids, string? Error) ParseAssistantIds(Microsoft.Extensions.Primitives.StringValues values)
    {
        var ids = new List<Guid>();
        foreach (var value in values)
        {
            var text = value?.Trim() ?? "";
            if (text.Length == 0)
            {
                continue;
            }

            if (text.StartsWith('['))
            {
                try
                {
                    ids.AddRange(JsonSerializer.Deserialize<List<Guid>>(text) ?? []);
                }
                catch (JsonException)
                {
                    return ([], "assistantIds must be a JSON array of assistant ids, or repeated fields each holding one id.");
                }

                continue;
            }

            foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!Guid.TryParse(part, out var id))
                {
                    return ([], $"'{part}' is not an assistant id.");
                }

                ids.Add(id);
            }
        }

        ids = ids.Distinct().ToList();
        return ids.Count > DocumentLimits.MaxAssistants
            ? ([], $"At most {DocumentLimits.MaxAssistants} assistants.")
            : (ids, null);
    }
}

public sealed record DocumentUploadResponse(Guid Id, string Filename, DocumentType Type, DocumentStatus Status, long Size, DateTime UploadedAt);

public sealed record DocumentProgress(int Done, int Total);

public sealed record DocumentSummaryResponse(
    Guid Id, string Filename, DocumentType Type, DocumentStatus Status, long Size, int ChunkCount, int? PageCount,
    DocumentProgress Progress, DateTime UploadedAt, DateTime? ProcessedAt, IReadOnlyList<Guid> AssistantIds)
{
    public static readonly System.Linq.Expressions.Expression<Func<Document, DocumentSummaryResponse>> Projection = d =>
        new DocumentSummaryResponse(d.Id, d.FileName, d.Type, d.Status, d.Size, d.ChunkCount, d.PageCount,
            new DocumentProgress(d.ProgressDone, d.ProgressTotal), d.UploadedAt, d.ProcessedAt, d.AssistantIds);
}

/// <param name="ProcessingTime">Milliseconds the last processing took; null until processed.</param>
public sealed record DocumentResponse(
    Guid Id, string Filename, DocumentType Type, DocumentStatus Status, long Size, int ChunkCount, int? PageCount,
    long? ProcessingTime, string? Error, DocumentProgress Progress, JsonElement Metadata, IReadOnlyList<Guid> AssistantIds,
    int Version, int ChunkSize, int Overlap, DateTime UploadedAt, DateTime? ProcessedAt)
{
    public static DocumentResponse From(Document d)
    {
        using var metadata = JsonDocument.Parse(string.IsNullOrWhiteSpace(d.Metadata) ? "{}" : d.Metadata);
        return new DocumentResponse(d.Id, d.FileName, d.Type, d.Status, d.Size, d.ChunkCount, d.PageCount, d.ProcessingTimeMs,
            d.Error, new DocumentProgress(d.ProgressDone, d.ProgressTotal), metadata.RootElement.Clone(), d.AssistantIds,
            d.Version, d.ChunkSize, d.Overlap, d.UploadedAt, d.ProcessedAt);
    }
}

public sealed record ProcessDocumentRequest(int? ChunkSize, int? Overlap);

public sealed record LinkAssistantsRequest(IReadOnlyList<Guid>? AssistantIds);

public sealed class LinkAssistantsRequestValidator : AbstractValidator<LinkAssistantsRequest>
{
    public LinkAssistantsRequestValidator()
    {
        RuleFor(r => r.AssistantIds).NotNull().WithMessage("assistantIds is required (an empty array unlinks the document from every assistant).");
        RuleFor(r => r.AssistantIds!.Distinct().Count()).LessThanOrEqualTo(DocumentLimits.MaxAssistants).When(r => r.AssistantIds is not null)
            .OverridePropertyName("assistantIds").WithMessage($"At most {DocumentLimits.MaxAssistants} assistants.");
    }
}

/// <summary>The rules of <see cref="ChunkingOptions"/>: 32 ≤ chunkSize ≤ 4096, 0 ≤ overlap &lt; chunkSize / 2.</summary>
public sealed class ProcessDocumentRequestValidator : AbstractValidator<ProcessDocumentRequest>
{
    public ProcessDocumentRequestValidator(IOptions<ChunkingOptions> defaults)
    {
        RuleFor(r => r.ChunkSize).InclusiveBetween(32, 4096).WithMessage("chunkSize must be between 32 and 4096.");
        RuleFor(r => r.Overlap).GreaterThanOrEqualTo(0).WithMessage("overlap must be 0 or more.")
            .Must((r, overlap) => overlap is null || overlap * 2 < (r.ChunkSize ?? defaults.Value.ChunkSize))
            .WithMessage(r => $"overlap must be less than half of chunkSize ({r.ChunkSize ?? defaults.Value.ChunkSize}).");
    }
}

public sealed record DocumentListQuery(int? Page, int? PageSize, string? Type, string? Status, string? Search) : PageQuery(Page, PageSize);

public sealed class DocumentListQueryValidator : AbstractValidator<DocumentListQuery>
{
    public DocumentListQueryValidator()
    {
        Include(new PageQueryValidator());
        RuleFor(q => q.Type).IsApiEnum<DocumentListQuery, DocumentType>("type");
        RuleFor(q => q.Status).IsApiEnum<DocumentListQuery, DocumentStatus>("status");
        RuleFor(q => q.Search).MaximumLength(200).WithMessage("search must be at most 200 characters long.");
    }
}
