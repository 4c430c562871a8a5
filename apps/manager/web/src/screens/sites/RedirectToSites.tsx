import type { ReactNode } from 'react';
import { Redirect } from '../../app/router';

export function RedirectToSites(): ReactNode {
  return <Redirect to="/sites" />;
}
