namespace Satchel;

/// <summary>A write went past one of the session's limits (<see cref="SatchelOptions.MaxKeys"/> and the like).</summary>
public sealed class SessionLimitExceededException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public SessionLimitExceededException() { }

    /// <summary>Creates the exception with a message.</summary>
    public SessionLimitExceededException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public SessionLimitExceededException(string message, Exception innerException) : base(message, innerException) { }
}
