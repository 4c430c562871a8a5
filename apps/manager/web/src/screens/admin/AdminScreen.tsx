import type { ComponentType, ReactNode } from 'react';
import { Link } from '../../app/router';
import type { ScreenProps } from '../../app/screen-props';
import { AdminAudit } from './AdminAudit';
import { AdminDatabaseHosts } from './AdminDatabaseHosts';
import { AdminImages } from './AdminImages';
import { AdminOperations } from './AdminOperations';
import { AdminSites } from './AdminSites';
import { AdminUsers } from './AdminUsers';
import './admin.css';

/** The admin area's sections, in the order of its sub-navigation; the first is the default. */
const SECTIONS: readonly { slug: string; title: string; screen: ComponentType }[] = [
  { slug: 'sites', title: 'Sites', screen: AdminSites },
  { slug: 'users', title: 'Users', screen: AdminUsers },
  { slug: 'database-hosts', title: 'Database hosts', screen: AdminDatabaseHosts },
  { slug: 'images', title: 'Images', screen: AdminImages },
  { slug: 'operations', title: 'Failed operations', screen: AdminOperations },
  { slug: 'audit', title: 'Audit log', screen: AdminAudit },
];

/** `/admin` and `/admin/:section` (the router shows them to admins only; the API checks again). */
export default function AdminScreen({ params }: ScreenProps): ReactNode {
  const slug = params.section ?? 'sites';
  const section = SECTIONS.find((candidate) => candidate.slug === slug);
  if (!section) {
    return (
      <section>
        <h1>Page not found</h1>
        <p>
          There is no admin section here. <Link to="/admin/sites">Go to the admin area</Link>.
        </p>
      </section>
    );
  }
  const Section = section.screen;
  return (
    <section className="admin">
      <h1>Admin</h1>
      <nav className="tabs" aria-label="Admin sections">
        {SECTIONS.map((candidate) => (
          <Link key={candidate.slug} to={`/admin/${candidate.slug}`} aria-current={candidate === section ? 'page' : undefined}>
            {candidate.title}
          </Link>
        ))}
      </nav>
      <h2>{section.title}</h2>
      <Section />
    </section>
  );
}
