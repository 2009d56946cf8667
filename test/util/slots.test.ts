import { describe, expect, it } from 'vitest';
import { Slots } from '../../server/util/slots.js';

describe('Slots', () => {
  it('hands out up to `max` slots, then none until one is given back', () => {
    const slots = new Slots();
    const a = slots.tryTake(2);
    const b = slots.tryTake(2);
    expect(a).toBeTypeOf('function');
    expect(b).toBeTypeOf('function');
    expect(slots.tryTake(2)).toBeNull();
    expect(slots.count).toBe(2);
    a?.();
    expect(slots.count).toBe(1);
    expect(slots.tryTake(2)).toBeTypeOf('function');
  });

  it('gives a slot back once however often its release is called', () => {
    const slots = new Slots();
    const a = slots.tryTake(5);
    slots.tryTake(5);
    a?.();
    a?.();
    expect(slots.count).toBe(1);
  });

  it('applies a lowered max to the next take without touching running ones', () => {
    const slots = new Slots();
    slots.tryTake(3);
    slots.tryTake(3);
    expect(slots.tryTake(1)).toBeNull();
    expect(slots.count).toBe(2);
  });
});
