namespace Satchel;

/// <summary>The cookie's SameSite attribute.</summary>
public enum SessionSameSite
{
    /// <summary>Sent on top-level navigations from other sites, not on their subrequests.</summary>
    Lax,
    /// <summary>Never sent on requests started by another site.</summary>
    Strict,
    /// <summary>Sent on every request; needs Secure.</summary>
    None,
}
