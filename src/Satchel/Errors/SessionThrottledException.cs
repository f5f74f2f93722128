namespace Satchel;

/// <summary>
/// The application's <see cref="SatchelOptions.OnInvalidCookieBurst"/> hook refused this request.
/// ASP.NET Core answers 429.
/// </summary>
public sealed class SessionThrottledException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SessionThrottledException() : base("Too many invalid session cookies from this client.") { }

    /// <summary>Creates the exception with a message.</summary>
    public SessionThrottledException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public SessionThrottledException(string message, Exception innerException) : base(message, innerException) { }
}
