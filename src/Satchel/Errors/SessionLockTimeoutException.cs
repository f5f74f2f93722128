namespace Satchel;

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
