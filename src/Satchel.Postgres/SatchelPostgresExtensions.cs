using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Satchel.Postgres;

namespace Satchel;

/// <summary>Puts Satchel's sessions in PostgreSQL.</summary>
public static class SatchelPostgresExtensions
{
    private const string ConfigurationKey = "Satchel:Postgres:ConnectionString";

    /// <summary>
    /// Keeps sessions in PostgreSQL, connecting with the Npgsql connection string found in
    /// configuration: <c>Satchel:Postgres:ConnectionString</c> (environment variable
    /// <c>Satchel__Postgres__ConnectionString</c>), else <c>ConnectionStrings:Postgres</c>. Store
    /// settings bind from the section <c>Satchel:Postgres</c> (<c>TableName</c>, <c>Schema</c>,
    /// <c>CreateSchema</c>, <c>SweepInterval</c>, <c>SweepBatchSize</c>, <c>LockLease</c>), then any
    /// set in code. Needs configured <see cref="SatchelOptions.Secrets"/>, shared by
    /// every app process.
    /// </summary>
    /// <exception cref="InvalidOperationException">At start-up, when configuration gives no connection string.</exception>
    public static SatchelBuilder UsePostgres(this SatchelBuilder builder) => UsePostgres(builder, (string?)null, _ => { });

    /// <summary>Keeps sessions in PostgreSQL as configured (see <see cref="UsePostgres(SatchelBuilder)"/>), with store settings set in code after those bound.</summary>
    /// <exception cref="InvalidOperationException">At start-up, when configuration gives no connection string.</exception>
    public static SatchelBuilder UsePostgres(this SatchelBuilder builder, Action<PostgresSessionStoreOptions> configure) => UsePostgres(builder, (string?)null, configure);

    /// <summary>
    /// Keeps sessions in PostgreSQL, connecting with <paramref name="connectionString"/>; null or
    /// empty takes it from configuration as <see cref="UsePostgres(SatchelBuilder)"/> does.
    /// </summary>
    /// <exception cref="InvalidOperationException">At start-up, when neither the argument nor configuration gives a connection string.</exception>
    public static SatchelBuilder UsePostgres(this SatchelBuilder builder, string? connectionString) => UsePostgres(builder, connectionString, _ => { });

    /// <summary>
    /// Keeps sessions in PostgreSQL, connecting with <paramref name="connectionString"/>
    /// (<c>"Host=db;Database=app;Username=app;Password=…"</c>); null or empty takes it from
    /// configuration as <see cref="UsePostgres(SatchelBuilder)"/> does; then store settings set in code.
    /// </summary>
    /// <exception cref="InvalidOperationException">At start-up, when neither the argument nor configuration gives a connection string.</exception>
    public static SatchelBuilder UsePostgres(this SatchelBuilder builder, string? connectionString, Action<PostgresSessionStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        return builder.UseStore(services =>
        {
            var settings = services.GetService<IConfiguration>();
            var connection = NonEmpty(connectionString) ?? NonEmpty(settings?[ConfigurationKey]) ?? NonEmpty(settings?.GetConnectionString("Postgres"))
                ?? throw new InvalidOperationException(
                    "The PostgreSQL session store has no connection string: UsePostgres was given none, and configuration has neither Satchel:Postgres:ConnectionString " +
                    "(environment variable Satchel__Postgres__ConnectionString) nor ConnectionStrings:Postgres. Set one of them to an Npgsql connection string " +
                    "such as \"Host=localhost;Database=app;Username=app;Password=…\", or pass it: UsePostgres(\"Host=…\").");
            return PostgresSessionStore.Connect(connection, Options(settings, configure), services.GetService<TimeProvider>(), Logger(services));
        });
    }

    /// <summary>
    /// Keeps sessions in PostgreSQL through the app's own <see cref="NpgsqlDataSource"/> (which the
    /// app keeps owning): the pool, credentials and settings it already has.
    /// </summary>
    public static SatchelBuilder UsePostgres(this SatchelBuilder builder, NpgsqlDataSource dataSource) => UsePostgres(builder, dataSource, _ => { });

    /// <summary>Keeps sessions in PostgreSQL through the app's own <see cref="NpgsqlDataSource"/>, with store settings set in code after those bound.</summary>
    public static SatchelBuilder UsePostgres(this SatchelBuilder builder, NpgsqlDataSource dataSource, Action<PostgresSessionStoreOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(configure);
        return builder.UseStore(services =>
            new PostgresSessionStore(dataSource, Options(services.GetService<IConfiguration>(), configure), services.GetService<TimeProvider>(), Logger(services)));
    }

    private static PostgresSessionStoreOptions Options(IConfiguration? settings, Action<PostgresSessionStoreOptions> configure)
    {
        var options = new PostgresSessionStoreOptions();
        settings?.GetSection("Satchel:Postgres").Bind(options);
        configure(options);
        options.Validate();
        return options;
    }

    private static ILogger? Logger(IServiceProvider services) => services.GetService<ILoggerFactory>()?.CreateLogger("Satchel.Postgres");

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
