import { of, throwError } from 'rxjs';
import { BackendSrv, setBackendSrv } from '@grafana/runtime';

import { checkHealth, HealthApi } from './health-check';
import { SluiceApi, SluiceRequestError } from './sluice-api';

const URL = 'http://sluice:8081';
const EVENTS = [
  { name: 'order', count: 10, has_schema: true },
  { name: 'page_view', count: 90, has_schema: true },
  { name: 'ticket', count: 0, has_schema: true },
];

function api(
  events: () => Promise<unknown>,
  query: () => Promise<unknown> = async () => ({ columns: [], rows: [], meta: {} })
) {
  return { events: jest.fn(events), query: jest.fn(query) } as unknown as HealthApi & {
    events: jest.Mock;
    query: jest.Mock;
  };
}

const refuse = (status: number | undefined, message: string) => async () => {
  throw new SluiceRequestError(message, status, undefined);
};

describe('checkHealth', () => {
  it('says when no URL is configured, without calling Sluice', async () => {
    const stub = api(async () => EVENTS);
    expect(await checkHealth(stub, '  ')).toEqual({
      status: 'error',
      message: expect.stringContaining('No Sluice URL'),
    });
    expect(stub.events).not.toHaveBeenCalled();
  });

  it.each([502, 504, undefined])('says Sluice is unreachable on %s', async (status) => {
    const result = await checkHealth(api(refuse(status, 'Failed to fetch')), URL);
    expect(result.status).toBe('error');
    expect(result.message).toContain(`Sluice is unreachable from Grafana's server at ${URL}`);
  });

  it("says the key was refused, with Sluice's message", async () => {
    const result = await checkHealth(api(refuse(401, 'SLUICE_E_UNAUTHORIZED: Unknown key')), URL);
    expect(result).toEqual({
      status: 'error',
      message: 'Sluice refused the read key: SLUICE_E_UNAUTHORIZED: Unknown key. Enter a valid read key (slr_...).',
    });
  });

  it('tells a key that reads metadata but may not query from one that reads nothing', async () => {
    const noQuery = await checkHealth(
      api(async () => EVENTS, refuse(403, 'SLUICE_E_FORBIDDEN: analyst role needed')),
      URL
    );
    expect(noQuery.message).toMatch(
      /^The key reads metadata but may not run queries: SLUICE_E_FORBIDDEN: analyst role needed/
    );
    const noMeta = await checkHealth(api(refuse(403, 'SLUICE_E_FORBIDDEN: wrong project')), URL);
    expect(noMeta.message).toBe("The key may not read this project's metadata: SLUICE_E_FORBIDDEN: wrong project");
  });

  it('says what else Sluice answered', async () => {
    expect((await checkHealth(api(refuse(404, 'Not Found')), URL)).message).toContain(
      'is it the Sluice query service?'
    );
    expect((await checkHealth(api(refuse(500, 'boom')), URL)).message).toBe('Sluice answered HTTP 500: boom');
  });

  it('counts the event types seen when both calls succeed', async () => {
    const stub = api(async () => EVENTS);
    expect(await checkHealth(stub, URL)).toEqual({
      status: 'success',
      message: 'Connected to Sluice: 2 event types seen in the last 30 days, and queries run.',
    });
    expect(stub.query).toHaveBeenCalledWith({ kind: 'events', range: '1h', limit: 1 });
  });

  describe("through Grafana's backend service", () => {
    function backend(answer: (url: string) => unknown) {
      setBackendSrv({
        fetch: ({ url }: { url: string }) => {
          const result = answer(url) as { status?: number };
          return result && result.status && result.status >= 400
            ? throwError(() => result)
            : of({ data: result, status: 200 });
        },
      } as unknown as BackendSrv);
    }

    it("reads Grafana's proxy 502 as unreachable", async () => {
      backend(() => ({ status: 502, statusText: 'Bad Gateway', data: { message: 'Bad Gateway' } }));
      const result = await checkHealth(new SluiceApi('/api/datasources/proxy/uid/x'), URL);
      expect(result.message).toMatch(/unreachable.*HTTP 502/);
    });

    it("reads Sluice's 403 body on the query", async () => {
      backend((url) =>
        url.includes('/meta/events')
          ? { events: EVENTS }
          : { status: 403, data: { error: { code: 'SLUICE_E_FORBIDDEN', message: 'Role viewer may not query' } } }
      );
      const result = await checkHealth(new SluiceApi('/api/datasources/proxy/uid/x'), URL);
      expect(result.message).toContain('may not run queries: SLUICE_E_FORBIDDEN: Role viewer may not query');
    });
  });
});
