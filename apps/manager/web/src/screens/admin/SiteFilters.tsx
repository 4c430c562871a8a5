import type { ReactNode } from 'react';
import { availabilitySchema, siteTypeSchema, siteStateSchema } from '@dais/shared/rules';

export type SiteFilterValues = {
  search: string;
  type: string;
  state: string;
  availability: string;
};

type FilterName = Exclude<keyof SiteFilterValues, 'search'>;

/** The choices come from the server's own enums, so a new state shows up here by itself. */
const CHOICES: readonly { name: FilterName; label: string; options: readonly string[] }[] = [
  { name: 'type', label: 'Type', options: siteTypeSchema.options },
  { name: 'state', label: 'State', options: siteStateSchema.options },
  { name: 'availability', label: 'Availability', options: availabilitySchema.options },
];

/** Search box and one select per filter of `GET /api/sites`. */
export function SiteFilters({
  values,
  onSearch,
  onChange,
}: {
  values: SiteFilterValues;
  onSearch: (search: string) => void;
  onChange: (name: FilterName, value: string) => void;
}): ReactNode {
  return (
    <div className="toolbar admin-filters">
      <label className="search">
        <span className="visually-hidden">Search sites</span>
        <input
          type="search"
          placeholder="Search by name or description"
          value={values.search}
          onChange={(event) => onSearch(event.target.value)}
        />
      </label>
      {CHOICES.map((choice) => (
        <label key={choice.name} className="filter">
          <span>{choice.label}</span>
          <select value={values[choice.name]} onChange={(event) => onChange(choice.name, event.target.value)}>
            <option value="">any</option>
            {choice.options.map((option) => (
              <option key={option} value={option}>
                {option.replace('_', ' ')}
              </option>
            ))}
          </select>
        </label>
      ))}
    </div>
  );
}
