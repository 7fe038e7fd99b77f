import { describe, expect, it } from 'vitest';
import { acceptingUsers, parseTeamPreferences, parseUserPreferences, preferredAddresses, type Preferences } from './preferences.js';

const now = Date.parse('2026-11-01T12:00:00Z');
const later = now + 3_600_000;

const prefs: Preferences = {
  users: [
    parseUserPreferences({ email: ['ann@example.com'] }, 'ann'),
    parseUserPreferences({ severities: ['critical'], email: ['ben@example.com'] }, 'ben'),
    parseUserPreferences({ mute_until: later, email: ['cy@example.com'] }, 'cy'),
    parseUserPreferences({ teams: ['ops'], email: ['dee@example.com'], channels: ['email', 'in_app'] }, 'dee'),
  ],
  teams: [
    parseTeamPreferences({ mute_until: later }, 'ops'),
    parseTeamPreferences({ severities: ['critical'], sms: ['+14155550100'] }, 'db'),
  ],
};

describe('preferences', () => {
  it('a user takes what their own and every team of theirs accept', () => {
    expect(acceptingUsers(prefs, 'critical', 'in_app', now).map((u) => u.subject)).toEqual(['ann', 'ben']);
    expect(acceptingUsers(prefs, 'warning', 'in_app', now).map((u) => u.subject)).toEqual(['ann']);
    // After the mutes end.
    expect(acceptingUsers(prefs, 'warning', 'in_app', later + 1).map((u) => u.subject)).toEqual(['ann', 'cy', 'dee']);
  });

  it('adds accepting teams\' and users\' own addresses', () => {
    expect(preferredAddresses(prefs, 'critical', 'email', now)).toEqual(['ann@example.com', 'ben@example.com']);
    expect(preferredAddresses(prefs, 'critical', 'sms', now)).toEqual(['+14155550100']);
    expect(preferredAddresses(prefs, 'info', 'sms', now)).toEqual([]);
  });

  it('defaults to every severity and channel, and names every problem', () => {
    expect(parseUserPreferences({}, 'x')).toMatchObject({ severities: ['info', 'warning', 'critical'], channels: ['slack', 'webhook', 'email', 'sms', 'in_app'], mute_until: null });
    expect(() => parseTeamPreferences({ severities: 'all' }, 'has space')).toThrow(/team name/);
    try {
      parseUserPreferences({ teams: [''], severities: 'all', sms: ['+1'] }, 'x');
      expect.unreachable();
    } catch (err) {
      expect((err as { details: { problems: { path: string }[] } }).details.problems.map((p) => p.path)).toEqual(['/teams/0', '/severities', '/sms/0']);
    }
  });
});
