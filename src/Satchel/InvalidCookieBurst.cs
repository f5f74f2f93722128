namespace Satchel;

/// <summary>
/// A client sent more invalid session cookies than <see cref="SatchelOptions.InvalidCookieLimit"/>
/// within <see cref="SatchelOptions.InvalidCookieWindow"/>: likely guessing tokens.
/// </summary>
/// <param name="Client">The client's address, as the server adapter saw it.</param>
/// <param name="Rejected">Invalid cookies from it in the current window, this one included.</param>
public sealed record InvalidCookieBurst(string Client, int Rejected);

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
