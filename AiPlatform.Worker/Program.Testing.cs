// Exposes the entry point to WebApplicationFactory<Program> in the integration tests (referenced there with the
// "worker" alias, since the Api has a global Program too).
public partial class Program;
