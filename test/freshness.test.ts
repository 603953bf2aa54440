import { describe, expect, it } from 'vitest';
import { addMonths, freshnessStatus, localDate, nextDueDate } from '../server/freshness/due.ts';

describe('quarterly-update due dates', () => {
  it('counts three months from the last update, clamping to the end of shorter months', () => {
    expect(addMonths('2025-11-30', 3)).toBe('2026-02-28');
    expect(addMonths('2023-11-30', 3)).toBe('2024-02-29'); // leap year
    expect(addMonths('2025-12-31', 3)).toBe('2026-03-31');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
  });

  it('uses the calendar day in Asia/Ho_Chi_Minh, not in UTC', () => {
    // 30/09/2025 23:30 in Vietnam is still 30/09 there (16:30 UTC); 01/10 00:30 there is 30/09 17:30 UTC
    expect(localDate(new Date('2025-09-30T16:30:00Z'))).toBe('2025-09-30');
    expect(localDate(new Date('2025-09-30T17:30:00Z'))).toBe('2025-10-01');
    expect(nextDueDate(new Date('2025-09-30T16:30:00Z'), 'quarterly')).toBe('2025-12-30');
    expect(nextDueDate(new Date('2025-09-30T17:30:00Z'), 'quarterly')).toBe('2026-01-01');
  });

  it('marks up to date, due soon (14 days), overdue, and exempt for updates on change', () => {
    const due = nextDueDate(new Date('2026-08-22T03:00:00Z'), 'quarterly'); // 2026-11-22
    expect(due).toBe('2026-11-22');
    expect(freshnessStatus(due, new Date('2026-11-07T10:00:00Z'))).toBe('up-to-date'); // 15 days left
    expect(freshnessStatus(due, new Date('2026-11-08T10:00:00Z'))).toBe('due-soon'); // 14 days left
    expect(freshnessStatus(due, new Date('2026-11-22T16:59:00Z'))).toBe('due-soon'); // 23:59 on the due day
    expect(freshnessStatus(due, new Date('2026-11-22T17:00:00Z'))).toBe('overdue'); // 00:00 the next day
    expect(nextDueDate(new Date(), 'irregular')).toBeNull();
    expect(freshnessStatus(null, new Date())).toBe('exempt');
  });
});
