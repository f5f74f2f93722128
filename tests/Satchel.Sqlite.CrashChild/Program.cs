// Commits sessions to a SQLite file from four writers until killed, acknowledging each commit on
// standard output after the store returned (CrashWrites); the crash test kills it with SIGKILL.
using Satchel.Sqlite;
using Satchel.Tests;

if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Satchel.Sqlite.CrashChild <database file>");
    return 2;
}

using var store = new SqliteSessionStore(args[0]);
await CrashWrites.WriteUntilKilledAsync(store, writers: 4);
return 0;
