using System.Runtime.CompilerServices;

// The unit tests check the subscription registry, which is internal to the bus.
[assembly: InternalsVisibleTo("AiPlatform.UnitTests")]
