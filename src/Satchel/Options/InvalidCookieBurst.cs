namespace Satchel;

/// <summary>
/// A client sent more invalid session cookies than <see cref="SatchelOptions.InvalidCookieLimit"/>
/// within <see cref="SatchelOptions.InvalidCookieWindow"/>: likely guessing tokens.
/// </summary>
/// <param name="Client">The client's address, as the server adapter saw it.</param>
/// <param name="Rejected">Invalid cookies from it in the current window, this one included.</param>
public sealed record InvalidCookieBurst(string Client, int Rejected);
