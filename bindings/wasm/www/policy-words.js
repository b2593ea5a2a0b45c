// A policy document in words, for the kiosk's screen (a configuration's `policy_words`
// takes precedence: an authority states its rule in its own words). Display only: the
// verifier checks the policy itself.
const codeName = (c) => String(c).replace(/^http:\/\/hl7\.org\/fhir\/sid\//, '').replace('|', ' ');

function vaccination(p) {
  const parts = [`a dose of ${p.vaccines.length === 1 ? codeName(p.vaccines[0]) : `one of ${p.vaccines.map(codeName).join(', ')}`}`];
  const d = p.days_since_dose;
  if (d) parts.push(`given ${d.min} to ${d.max} days ago`);
  if (p.min_dose_number > 1) parts.push(`dose number ${p.min_dose_number} or later`);
  if (p.complete_series) parts.push('completing its primary series');
  return `vaccinated: ${parts.join(', ')}`;
}

function general(p) {
  const groups = p.groups ?? [];
  const clauses = groups.reduce((n, g) => n + (g.clauses?.length ?? 0), 0);
  const names = groups.map((g) => g.name).filter(Boolean);
  return `${names.length ? names.join(' or ') : 'policy'} (${groups.length} group${groups.length === 1 ? '' : 's'} of conditions, ${clauses} in all, over ${(p.records ?? []).reduce((n, r) => n + (r.count ?? 1), 0)} record(s))`;
}

export function describePolicy(p) {
  if (p.statement === 'vaccination') return vaccination(p);
  if (p.statement === 'policy') return general(p);
  return 'the configured policy';
}
