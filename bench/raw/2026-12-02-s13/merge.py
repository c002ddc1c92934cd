"""Writes merged/results.jsonl and merged/canary.jsonl: the full run of session 12 (../2026-12-02-s12), with the
rows that session 13's lighter generators replaced taken from its partial runs instead: every Node-generator row of
echo, fan-out (both shapes) and light (node/), and every C#-generator light row (light/). Server code is the same
in all three runs (session 13 changed only the generators). Usage: python3 merge.py (from this directory)."""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
FULL = os.path.join(HERE, '..', '2026-12-02-s12')
REPLACED = {  # (generator, scenario) -> the partial run that replaces its rows
    ('node', 'echo'): 'node', ('node', 'fanout'): 'node', ('node', 'fanout-many'): 'node', ('node', 'light'): 'node',
    ('dotnet', 'light'): 'light',
}


def key(row):
    # Canary rows name their scenario in the variant; fan-out rows name their shape there.
    scenario = row['variant'] if row['scenario'] == 'canary' else row['scenario']
    if row['scenario'] == 'fanout' and row.get('variant', '').startswith('many'):
        scenario = 'fanout-many'
    return row.get('generator'), scenario


os.makedirs(os.path.join(HERE, 'merged'), exist_ok=True)
for name in ('results.jsonl', 'canary.jsonl'):
    kept = [line for line in open(os.path.join(FULL, name)) if key(json.loads(line)) not in REPLACED]
    added = []
    for part in sorted(set(REPLACED.values())):
        added += [line for line in open(os.path.join(HERE, part, name)) if REPLACED.get(key(json.loads(line))) == part]
    with open(os.path.join(HERE, 'merged', name), 'w') as out:
        out.writelines(kept + added)
    print(f'{name}: {len(kept)} rows of the full run, {len(added)} from the partial runs')
