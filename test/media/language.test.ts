// Language codes: cleaning what sources give, the RFC 5646 tag, matching ?audio= words, names and the mdhd code; a fuzz property that nothing throws.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanLanguage, iso6392T, languageMatches, languageName, languageTag, sameLanguage } from '../../server/media/language.js';
import { fuzz } from '../helpers/fuzz.js';

describe('cleanLanguage', () => {
  it.each([
    ['eng', 'eng'],
    ['FRE', 'fre'],
    [' fr-CA ', 'fr-CA'],
    ['und', undefined],
    ['zxx', undefined],
    ['', undefined],
    [null, undefined],
    [undefined, undefined],
    ['e', undefined],
    ['fr CA', undefined],
    ['fr\r\na=x', undefined],
    ['x'.repeat(40), undefined],
  ])('%j -> %j', (input, out) => {
    expect(cleanLanguage(input)).toBe(out);
  });
});

describe('codes of one language', () => {
  it.each([
    ['fre', 'fr', 'fra', 'French'],
    ['fra', 'fr', 'fra', 'French'],
    ['fr-CA', 'fr-CA', 'fra', 'French'],
    ['eng', 'en', 'eng', 'English'],
    ['ger', 'de', 'deu', 'German'],
    ['tlh', 'tlh', 'tlh', 'tlh'],
    ['xx', 'xx', 'und', 'xx'],
  ])('%s: tag %s, mdhd %s, name %s', (code, tag, t, name) => {
    expect(languageTag(code)).toBe(tag);
    expect(iso6392T(code)).toBe(t);
    expect(languageName(code)).toBe(name);
  });

  it('tells the same language from another', () => {
    expect(sameLanguage('fre', 'fr')).toBe(true);
    expect(sameLanguage('fra', 'fr-BE')).toBe(true);
    expect(sameLanguage('fre', 'eng')).toBe(false);
    expect(iso6392T(undefined)).toBe('und');
  });

  it.each([
    ['fre', 'fre', true],
    ['fr', 'fre', true],
    ['FRA', 'fre', true],
    ['french', 'fre', true],
    ['English', 'eng', true],
    ['fre', 'eng', false],
    ['fre', undefined, false],
    ['', 'fre', false],
  ])('?audio=%s picks a %s track: %s', (wanted, code, ok) => {
    expect(languageMatches(wanted, code)).toBe(ok);
  });
});

it('never throws on any text', () => {
  fuzz('language codes', 0x1a96, 500, fc.property(fc.string({ maxLength: 50 }), fc.string({ maxLength: 10 }), (a, b) => {
    const c = cleanLanguage(a);
    if (c !== undefined) {
      languageTag(c);
      languageName(c);
      expect(iso6392T(c)).toMatch(/^[a-z]{3}$/);
    }
    languageMatches(a, b === '' ? undefined : b);
  }));
});
