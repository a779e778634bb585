/** The sign-in throttle's counting rules, as pure logic on a fake clock. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressGroup, LoginThrottle, signInKeys } from '../../src/auth/throttle.ts';

test('an IPv6 address counts by its /64; IPv4, also when mapped, as it is', () => {
  assert.equal(addressGroup('203.0.113.7'), '203.0.113.7');
  assert.equal(addressGroup('::ffff:203.0.113.7'), '203.0.113.7');
  assert.equal(addressGroup('2001:db8:1:2::1'), addressGroup('2001:db8:1:2:ffff:ffff:ffff:fffe'));
  assert.notEqual(addressGroup('2001:db8:1:2::1'), addressGroup('2001:db8:1:3::1'));
  assert.equal(addressGroup('2001:0db8:0001:0002:0000:0000:0000:0001'), addressGroup('2001:db8:1:2::1'));
});

test('ten failures lock the account from that address only; a hundred lock the account or the address', () => {
  let now = 0;
  const throttle = new LoginThrottle({}, () => now);
  const fail = (login: string, address: string, times: number) => { for (let i = 0; i < times; i++) throttle.failed(signInKeys(login, address)); };
  fail('admin', '203.0.113.7', 10);
  assert.ok(throttle.lockedFor(signInKeys('admin', '203.0.113.7')) > 0);
  assert.equal(throttle.lockedFor(signInKeys('admin', '198.51.100.1')), 0, 'the account from elsewhere');
  assert.equal(throttle.lockedFor(signInKeys('other', '203.0.113.7')), 0, 'another account from there');
  for (let i = 0; i < 9; i++) fail('admin', `192.0.2.${i}`, 10);
  assert.ok(throttle.lockedFor(signInKeys('admin', '198.51.100.1')) > 0, 'a hundred failures from many addresses lock the account');
  for (let i = 0; i < 100; i++) throttle.failed(signInKeys(`name${i}`, '2001:db8:1:2::1'));
  assert.ok(throttle.lockedFor(signInKeys('fresh', '2001:db8:1:2::99')) > 0, 'a hundred names from one /64 lock it');
  now += 16 * 60_000;
  assert.equal(throttle.lockedFor(signInKeys('admin', '203.0.113.7')), 0, 'locks end');
});

test('a success clears only the account-and-address count', () => {
  const throttle = new LoginThrottle();
  const keys = signInKeys('admin', '203.0.113.7');
  for (let i = 0; i < 5; i++) throttle.failed(keys);
  assert.ok(throttle.delayFor(keys) > 0);
  throttle.succeeded(keys);
  assert.equal(throttle.delayFor(keys), 0);
});
