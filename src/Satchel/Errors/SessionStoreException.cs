namespace Satchel;

/// <summary>
/// The session store failed and <see cref="SatchelOptions.StoreFailurePolicy"/> is
/// <see cref="StoreFailurePolicy.Fail"/>. The store's own error is the inner exception.
/// ASP.NET Core answers 503.
/// </summary>
public sealed class SessionStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SessionStoreException() : base("The session store failed.") { }

    /// <summary>Creates the exception with a message.</summary>
    public SessionStoreException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the store's error.</summary>
    public SessionStoreException(string message, Exception innerException) : base(message, innerException) { }
}
