import { describe, expect, it } from 'vitest';
import { startTestEmulator, useEmulator } from '../src/emulator.js';

describe('useEmulator', () => {
  const emulator = useEmulator({ tokenTtlSeconds: 60 });

  it('serves on loopback with the control API', async () => {
    expect(emulator.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await emulator.control.clearRequests();
    expect(await emulator.control.requests()).toEqual([]);
  });
});

describe('startTestEmulator', () => {
  it('starts and closes an emulator', async () => {
    const emulator = await startTestEmulator();
    try {
      expect(new URL(emulator.url).hostname).toBe('127.0.0.1');
      expect(Array.isArray(await emulator.control.requests())).toBe(true);
    } finally {
      await emulator.close();
    }
  });
});

describe('useEmulator before beforeAll', () => {
  const unstarted = useEmulator();
  let readError: unknown;
  try {
    void unstarted.url;
  } catch (error: unknown) {
    readError = error;
  }

  it('rejects reads outside tests', () => {
    expect(readError).toEqual(
      new Error(
        'useEmulator: read "url" outside a test; the emulator runs only between beforeAll ' +
          'and afterAll.',
      ),
    );
  });
});
