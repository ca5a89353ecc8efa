using System.Security.Cryptography;

namespace AiPlatform.AppHost.Local;

/// <summary>
/// Per-machine secrets for local mode, generated once and kept outside the repository (default <c>~/.aiplatform</c>,
/// directory 0700, files 0600): the api's JWT signing key and the seeded admin's password.
/// </summary>
internal sealed class MachineSecrets(string directory)
{
    public string JwtSigningKeyPath => Path.Combine(directory, "jwt-signing-key");
    public string AdminPasswordPath => Path.Combine(directory, "admin-password");

    public static MachineSecrets For(LocalOptions options)
    {
        var home = System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile);
        var directory = options.SecretsDirectory;
        if (string.IsNullOrWhiteSpace(directory))
        {
            directory = Path.Combine(home, ".aiplatform");
        }
        else if (directory.StartsWith('~'))
        {
            directory = home + directory[1..];
        }
        return new MachineSecrets(Path.GetFullPath(directory));
    }

    /// <summary>32 random bytes, base64.</summary>
    public string JwtSigningKey() =>
        GetOrCreate(JwtSigningKeyPath, () => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));

    /// <summary>A random password that also meets the usual complexity rules (upper, lower, digit, symbol).</summary>
    public string AdminPassword() =>
        GetOrCreate(AdminPasswordPath, () =>
            "Ai1!" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(18)).Replace('+', '-').Replace('/', '_'));

    private string GetOrCreate(string path, Func<string> generate)
    {
        if (Read(path) is { } existing)
        {
            return existing;
        }

        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory);
        }
        else
        {
            Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        // Write to a private temporary file, then publish it without overwriting: a concurrent AppHost wins or loses
        // the race, and both end up with the same value.
        var temporary = $"{path}.{System.Environment.ProcessId}.tmp";
        var fileOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using (var writer = new StreamWriter(temporary, fileOptions))
        {
            writer.Write(generate() + "\n");
        }
        try
        {
            File.Move(temporary, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
        }
        return Read(path) ?? throw new InvalidOperationException($"Could not create {path}.");
    }

    private static string? Read(string path) =>
        File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } value ? value : null;
}
