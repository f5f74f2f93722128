namespace Satchel;

/// <summary>What a request gets when the session store fails.</summary>
public enum StoreFailurePolicy
{
    /// <summary>The request fails: <see cref="SessionStoreException"/> (503 in ASP.NET Core).</summary>
    Fail,
    /// <summary>The request goes on with an empty session that writes nothing; a warning is logged.</summary>
    Degrade,
}
