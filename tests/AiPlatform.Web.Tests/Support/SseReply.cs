using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace AiPlatform.Web.Tests.Support;

/// <summary>A streamed reply (server-sent events) the test writes one event at a time, and whose end it can see.</summary>
public sealed class SseReply
{
    private readonly Pipe _pipe = new();
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the console let go of the response: stopped reading and disposed it.</summary>
    public Task Released => _released.Task;

    public HttpResponseMessage Response()
    {
        var content = new StreamContent(new ObservedStream(_pipe.Reader.AsStream(), _released));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/event-stream");
        return new HttpResponseMessage(HttpStatusCode.OK) { Content = content };
    }

    public async Task SendAsync(string eventType, object data)
    {
        var json = JsonSerializer.Serialize(data, JsonSerializerOptions.Web);
        await _pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes($"event: {eventType}\ndata: {json}\n\n"));
    }

    public Task EndAsync() => _pipe.Writer.CompleteAsync().AsTask();

    private sealed class ObservedStream(Stream inner, TaskCompletionSource released) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                released.TrySetResult();
            }

            base.Dispose(disposing);
        }
    }
}
