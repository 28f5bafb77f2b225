#!/usr/bin/env python3
"""Check holdout.jsonl against the shared corpus format and print its composition.

Usage: python3 bench/corpus/validate.py [bench/corpus/holdout.jsonl]
Exits 1 on any error; warnings (possible unmarked personal details) do not fail.
"""
import json
import re
import sys
from collections import Counter, defaultdict

CATEGORIES = {'inaccurate', 'outdated', 'unclear', 'harmful', 'broken_link', 'typo', 'other'}
LANES = ['queue', 'spam', 'question', 'site', 'comment', 'noise']
# One host per article language (the format note's hosts, plus saglik for tr and jiankang for zh).
HOSTS = {'en': 'health', 'es': 'salud', 'de': 'gesundheit', 'fr': 'sante', 'pt': 'saude',
         'nl': 'gezondheid', 'it': 'salute', 'ar': 'sehha', 'pl': 'zdrowie', 'ja': 'kenko',
         'tr': 'saglik', 'zh': 'jiankang'}
REQUIRED = ['id', 'article_url', 'article_lang', 'category', 'quote', 'details', 'lang', 'lane', 'note']
ID_RE = re.compile(r'^ho-\d{4}$')
NHS_RE = re.compile(r'^\d{3} ?\d{3} ?\d{4}$')
# Heuristics for personal details a writer may have forgotten to mark (warnings only).
EMAIL_RE = re.compile(r'[\w.+-]+@[\w-]+\.[\w.]+')
SPELLED_EMAIL_RE = re.compile(r'\b(at|arroba|arobase)\b.{1,30}\b(dot|punto|point|kropka)\b', re.I)
PHONE_RE = re.compile(r'\+?\(?\d[\d ()\-]{7,}\d')


def nhs_valid(s):
    d = [int(c) for c in s if c.isdigit()]
    total = sum(x * w for x, w in zip(d[:9], range(10, 1, -1)))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == d[9]


def main(path):
    errors, warnings = [], []
    rows = []
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            try:
                o = json.loads(line)
            except json.JSONDecodeError as e:
                errors.append(f'line {n}: not JSON: {e}')
                continue
            if not isinstance(o, dict):
                errors.append(f'line {n}: not an object')
                continue
            rows.append((n, o))

    ids = Counter(o.get('id') for _, o in rows)
    for i, c in ids.items():
        if c > 1:
            errors.append(f'id {i} used {c} times')
    texts = Counter((o.get('quote'), o.get('details')) for _, o in rows if o.get('details') or o.get('quote'))
    for t, c in texts.items():
        if c > 1:
            warnings.append(f'{c} reports with identical quote and details: {t}')

    for n, o in rows:
        where = f"line {n} ({o.get('id')})"
        for k in REQUIRED:
            if k not in o:
                errors.append(f'{where}: missing {k}')
        if not ID_RE.match(str(o.get('id'))):
            errors.append(f'{where}: id not ho-NNNN')
        if o.get('category') not in CATEGORIES:
            errors.append(f"{where}: category {o.get('category')!r}")
        if o.get('lane') not in LANES:
            errors.append(f"{where}: lane {o.get('lane')!r}")
        al, lang = o.get('article_lang'), o.get('lang')
        if al not in HOSTS:
            errors.append(f'{where}: article_lang {al!r}')
        elif not str(o.get('article_url')).startswith(f'https://{HOSTS[al]}.example.org/'):
            errors.append(f'{where}: article_url host does not match article_lang {al}')
        if lang not in HOSTS:
            errors.append(f'{where}: lang {lang!r}')
        for k in ('quote', 'details'):
            if o.get(k) is not None and not isinstance(o.get(k), str):
                errors.append(f'{where}: {k} must be a string or null')
        g = o.get('group')
        if g is not None and (not isinstance(g, str) or not g):
            errors.append(f'{where}: group must be a non-empty string or null')
        text = (o.get('quote') or '') + '\n' + (o.get('details') or '')
        pii, keep = o.get('pii', []), o.get('keep', [])
        for k, vals in (('pii', pii), ('keep', keep)):
            if not isinstance(vals, list) or not all(isinstance(v, str) and v for v in vals):
                errors.append(f'{where}: {k} must be a list of non-empty strings')
                continue
            for v in vals:
                if v not in text:
                    errors.append(f'{where}: {k} {v!r} not in quote or details')
        for p in pii:
            for kp in keep:
                if kp in p or p in kp:
                    errors.append(f'{where}: keep {kp!r} overlaps pii {p!r}')
            if NHS_RE.match(p) and 'NHS' in text and not nhs_valid(p):
                errors.append(f'{where}: NHS number {p!r} fails the mod-11 check')
        # Unmarked personal details (heuristic).
        scrubbed = text
        for p in pii:
            scrubbed = scrubbed.replace(p, ' ')
        for kp in keep:
            scrubbed = scrubbed.replace(kp, ' ')
        for rx in (EMAIL_RE, SPELLED_EMAIL_RE, PHONE_RE):
            for m in rx.finditer(scrubbed):
                warnings.append(f'{where}: unmarked? {m.group(0)!r}')

    groups = defaultdict(list)
    for _, o in rows:
        if o.get('group'):
            groups[o['group']].append(o)
    for g, members in groups.items():
        urls = {m['article_url'] for m in members}
        if len(urls) != 1:
            errors.append(f'group {g}: members on different articles {sorted(urls)}')
        if not 2 <= len(members) <= 6:
            errors.append(f'group {g}: {len(members)} members (want 2-6)')
        if any(m['lane'] != 'queue' for m in members):
            errors.append(f'group {g}: a member is not in the queue lane')

    lanes = Counter(o['lane'] for _, o in rows)
    langs = Counter(o['lang'] for _, o in rows)
    alangs = Counter(o['article_lang'] for _, o in rows)
    total = len(rows)
    if total < 450:
        errors.append(f'only {total} reports (want >= 450)')
    if len(langs) < 8:
        errors.append(f'only {len(langs)} reader languages (want >= 8)')
    if len(groups) < 25:
        errors.append(f'only {len(groups)} groups (want >= 25)')
    group_langs = {lang for ms in groups.values() for lang in (m['lang'] for m in ms)}
    if len(group_langs) < 4:
        errors.append('groups span fewer than 4 languages')

    print(f'{total} reports')
    print('lanes:      ' + ', '.join(f'{k} {lanes[k]} ({100 * lanes[k] / total:.1f} %)' for k in LANES))
    print('reader lang:  ' + ', '.join(f'{k} {v}' for k, v in langs.most_common()))
    print('article lang: ' + ', '.join(f'{k} {v}' for k, v in alangs.most_common()))
    cross = sum(1 for _, o in rows if o['lang'] != o['article_lang'])
    print(f'reader language differs from article language: {cross}')
    print('categories: ' + ', '.join(f'{k} {v}' for k, v in Counter(o['category'] for _, o in rows).most_common()))
    sizes = Counter(len(m) for m in groups.values())
    in_groups = sum(len(m) for m in groups.values())
    print(f'groups: {len(groups)}, {in_groups} reports in groups; sizes: '
          + ', '.join(f'{s}x{sizes[s]}' for s in sorted(sizes)))
    multi = sum(1 for m in groups.values() if len({x['lang'] for x in m}) > 1)
    print(f'groups with more than one language: {multi}; languages in groups: {len(group_langs)}')
    pairs = sum(len(m) * (len(m) - 1) // 2 for m in groups.values())
    print(f'duplicate pairs: {pairs}')
    arts = defaultdict(set)
    for _, o in rows:
        if o['lane'] == 'queue':
            arts[o['article_url']].add(o.get('group') or o['id'])
    near = sum(1 for a, gs in arts.items() if any(g in groups for g in gs) and len(gs) > 1)
    print(f'articles with a group and at least one other queue problem (near-miss): {near}')
    print('queue reports without a quote: '
          f"{sum(1 for _, o in rows if o['lane'] == 'queue' and not o.get('quote'))}")
    print(f"reports with pii: {sum(1 for _, o in rows if o.get('pii'))} "
          f"({sum(len(o.get('pii', [])) for _, o in rows)} strings); "
          f"with keep: {sum(1 for _, o in rows if o.get('keep'))} "
          f"({sum(len(o.get('keep', [])) for _, o in rows)} strings)")
    for w in warnings:
        print('WARNING', w)
    for e in errors:
        print('ERROR', e)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else 'bench/corpus/holdout.jsonl'))
