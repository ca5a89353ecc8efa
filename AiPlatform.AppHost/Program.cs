// The AppHost: `dotnet run --project AiPlatform.AppHost` starts the whole stack. The mode is chosen at build time
// (MSBuild property UseAspire, see the csproj):
//   Aspire mode  AspireHost.cs  Aspire 13.1 runs postgres, cache and messaging as containers, api/worker/web as
//                               processes, with its dashboard. Needs a container runtime.
//   Local mode   Local/         the same resources: the stores are the servers installed on this machine
//                               (eng/servers.sh), api/worker/web are child processes given exactly the
//                               environment Aspire would inject.
#if ASPIRE_MODE
AiPlatform.AppHost.AspireHost.Run(args);
return 0;
#else
return await AiPlatform.AppHost.Local.LocalHost.RunAsync(args);
#endif
