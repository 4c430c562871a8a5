import { useEffect, useState } from 'react';
import type { PlatformView } from '@dais/shared/rules';
import { manager } from './client';

export type { PlatformView };

let cached: Promise<PlatformView> | null = null;

/**
 * What this installation is (sites domain, upload limit, SSH address), read once per page load and
 * shared by every screen; undefined until it arrives (screens show their general wording meanwhile).
 */
export function usePlatform(): PlatformView | undefined {
  const [platform, setPlatform] = useState<PlatformView | undefined>(undefined);
  useEffect(() => {
    let live = true;
    cached ??= manager.get<PlatformView>('/api/platform');
    cached.then(
      (value) => {
        if (live) setPlatform(value);
      },
      () => {
        cached = null; // try again on the next screen that asks
      },
    );
    return () => {
      live = false;
    };
  }, []);
  return platform;
}
