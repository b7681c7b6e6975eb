import { MongoClient } from 'mongodb';
import { WORK_THREAD_LOCAL_POOL_SIZE, workThreadDatabaseUri } from '../../../src/db/work-thread-pool';

const poolOf = (uri: string) => new URL(uri).searchParams.get('maxPoolSize');

describe("The Slack work thread's database pool", () => {
  it('is bounded for a server on this machine, whatever pool the address asks for', () => {
    expect(poolOf(workThreadDatabaseUri('mongodb://127.0.0.1:40123/?maxPoolSize=8'))).toBe(String(WORK_THREAD_LOCAL_POOL_SIZE));
    expect(poolOf(workThreadDatabaseUri('mongodb://localhost:27017/opsdesk'))).toBe(String(WORK_THREAD_LOCAL_POOL_SIZE));
    expect(poolOf(workThreadDatabaseUri('mongodb://[::1]:27017/'))).toBe(String(WORK_THREAD_LOCAL_POOL_SIZE));
    expect(poolOf(workThreadDatabaseUri('mongodb://LOCALHOST:27017/'))).toBe(String(WORK_THREAD_LOCAL_POOL_SIZE));
    expect(poolOf(workThreadDatabaseUri('mongodb://127.0.0.1:27017'))).toBe(String(WORK_THREAD_LOCAL_POOL_SIZE));
  });

  it('is what the driver reads from the address (parsed, not connected)', () => {
    const client = new MongoClient(workThreadDatabaseUri('mongodb://ops%40desk:p%2Fss@127.0.0.1:27017/opsdesk?maxPoolSize=8&authSource=admin'));
    expect(client.options.maxPoolSize).toBe(WORK_THREAD_LOCAL_POOL_SIZE);
    expect(client.options.credentials).toMatchObject({ username: 'ops@desk', password: 'p/ss', source: 'admin' });
    expect(client.options.dbName).toBe('opsdesk');
  });

  it('keeps the rest of the address as it was (credentials, database, options)', () => {
    const uri = workThreadDatabaseUri('mongodb://ops%40desk:p%2Fss@127.0.0.1:5/opsdesk?authSource=admin&maxPoolSize=8');
    const url = new URL(uri);
    expect([url.username, url.password, url.pathname, url.searchParams.get('authSource')]).toEqual(['ops%40desk', 'p%2Fss', '/opsdesk', 'admin']);
  });

  it('is left to the address for a server elsewhere, several hosts or SRV records', () => {
    for (const uri of ['mongodb://db.example.com:27017/?maxPoolSize=50', 'mongodb://a.example.com:1,b.example.com:2/', 'mongodb+srv://cluster.example.com/']) {
      expect(workThreadDatabaseUri(uri)).toBe(uri);
    }
  });
});
