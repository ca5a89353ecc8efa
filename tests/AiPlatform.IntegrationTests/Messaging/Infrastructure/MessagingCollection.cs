namespace AiPlatform.IntegrationTests.Messaging.Infrastructure;

/// <summary>
/// The messaging tests run one at a time and after everything else: one of them stops the broker.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MessagingCollection
{
    public const string Name = "messaging";
}
