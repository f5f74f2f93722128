namespace Satchel.Tests.Support;

/// <summary>
/// The cookie store's "sign out everywhere" on the real clock, where a cookie's sealed time and a
/// revocation fall in the same millisecond: run by the memory and the Redis revocation stores.
/// </summary>
public static class RevocationRace
{
    /// <summary>
    /// Each round: a phone signs in, and at once (the same millisecond, mostly) the user is revoked;
    /// the laptop revokes and regenerates in one request ("sign out everywhere else"). Returns the
    /// rounds in which the phone's cookie survived and those in which the laptop was signed out.
    /// </summary>
    public static async Task<(int PhoneKept, int LaptopLost)> RunAsync(SessionManager manager, int rounds)
    {
        var admin = new SessionAdmin(manager);
        int phoneKept = 0, laptopLost = 0;
        for (var i = 0; i < rounds; i++)
        {
            var user = $"user{i}:{Guid.NewGuid():N}";
            var phone = new MultiCookieBrowser(manager);
            await phone.RequestAsync(s => s.UserId = user);
            await admin.RevokeAllAsync(user);
            if (await phone.RequestAsync(s => s.UserId) is not null) phoneKept++;

            var laptop = new MultiCookieBrowser(manager);
            await laptop.RequestAsync(s => s.UserId = user);
            await laptop.RequestAsync(async s =>
            {
                _ = s.UserId;   // loaded first: the request's own session
                await admin.RevokeAllAsync(user);
                await s.RegenerateAsync();
            });
            if (await laptop.RequestAsync(s => s.UserId) != user) laptopLost++;
        }
        return (phoneKept, laptopLost);
    }
}
