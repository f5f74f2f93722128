namespace Satchel;

/// <summary>
/// A store that can give one request at a time exclusive use of a session, for endpoints that
/// read, change and write back one key (a counter, a balance). The memory store locks in process;
/// the Redis store takes a lease that expires on its own if its holder dies.
/// </summary>
public interface ISessionLocks
{
    /// <summary>
    /// Waits until this caller holds the session <paramref name="key"/>, at most <paramref name="timeout"/>;
    /// disposing the result releases it. Returns <see langword="null"/> when the wait timed out.
    /// </summary>
    ValueTask<IAsyncDisposable?> AcquireAsync(string key, TimeSpan timeout, CancellationToken cancellationToken = default);
}

/// <summary>An exclusive session could not be had within <see cref="SatchelOptions.ExclusiveTimeout"/> (503 in ASP.NET Core).</summary>
public sealed class SessionLockTimeoutException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SessionLockTimeoutException() : base("The session is held by another request.") { }

    /// <summary>Creates the exception with a message.</summary>
    public SessionLockTimeoutException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public SessionLockTimeoutException(string message, Exception innerException) : base(message, innerException) { }
}
