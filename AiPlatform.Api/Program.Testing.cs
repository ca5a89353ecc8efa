// Exposes the entry point to WebApplicationFactory<Program> in the integration tests.
public partial class Program;
