using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Satchel.Sqlite;

namespace Satchel;

/// <summary>Puts Satchel's sessions in a SQLite file.</summary>
public static class SatchelSqliteExtensions
{
    /// <summary>
    /// Keeps sessions in the SQLite database <paramref name="databasePath"/> (created when
    /// missing): they survive a restart or a crash of the app. Needs configured
    /// <see cref="SatchelOptions.Secrets"/>, or no cookie issued before a restart would verify after it.
    /// </summary>
    public static SatchelBuilder UseSqlite(this SatchelBuilder builder, string databasePath, Action<SqliteSessionStoreOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(databasePath);
        var options = new SqliteSessionStoreOptions();
        configure?.Invoke(options);
        options.Validate();
        return builder.UseStore(services => new SqliteSessionStore(
            databasePath, options, services.GetService<TimeProvider>(), services.GetService<ILoggerFactory>()?.CreateLogger("Satchel.Sqlite")));
    }
}
