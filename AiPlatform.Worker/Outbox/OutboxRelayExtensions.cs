namespace AiPlatform.Worker.Outbox;

public static class OutboxRelayExtensions
{
    /// <summary>Runs the <see cref="OutboxRelay"/>; needs AddAppDatabase and the event bus.</summary>
    public static IHostApplicationBuilder AddOutboxRelay(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OutboxRelayOptions>()
            .BindConfiguration(OutboxRelayOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHostedService<OutboxRelay>();
        return builder;
    }
}
