// The app process the PostgreSQL crash test kills: commits sessions from eight writers until
// killed, acknowledging each commit on standard output after the store returned (CrashWrites).
using Satchel.Postgres;
using Satchel.Tests;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Satchel.Postgres.CrashChild <connection string> <table>");
    return 2;
}

await using var store = PostgresSessionStore.Connect(args[0], new PostgresSessionStoreOptions { TableName = args[1] });
await CrashWrites.WriteUntilKilledAsync(store, writers: 8);
return 0;
