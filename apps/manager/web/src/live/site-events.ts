import { useEffect, useRef } from 'react';
import type { OperationView, SiteView } from '../api/types';
import { useSocket } from './socket';

interface SiteEventHandlers {
  onOperation?: (operation: OperationView) => void;
  onSite?: (site: SiteView) => void;
  /** Called after a re-subscription following a lost connection, so the screen can re-read what it shows. */
  onResubscribed?: () => void;
}

/**
 * Live events of some sites (`site:subscribe`): operation progress and the site after each operation.
 * Subscribes again after a reconnection (the server forgot the rooms) and tells the screen to refresh.
 */
export function useSiteEvents(siteIds: readonly number[], handlers: SiteEventHandlers): void {
  const { socket, generation, state } = useSocket();
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;
  const key = [...siteIds].sort((a, b) => a - b).join(',');
  const subscribedKey = useRef<string | null>(null);
  const subscribedGeneration = useRef(0);

  useEffect(() => {
    if (state !== 'connected' || key === '') return undefined;
    const ids = key.split(',').map(Number);
    const onOperation = (operation: OperationView): void => {
      if (operation.siteId !== null && ids.includes(operation.siteId)) handlersRef.current.onOperation?.(operation);
    };
    const onSite = (site: SiteView): void => {
      if (ids.includes(site.id)) handlersRef.current.onSite?.(site);
    };
    socket.on('operation:updated', onOperation);
    socket.on('site:updated', onSite);
    // After a reconnection the screen re-reads what it shows (events may have been missed meanwhile);
    // the first subscription needs no re-read: the screen has just read, and the server sends the latest operation.
    const reconnected = subscribedKey.current === key && subscribedGeneration.current !== generation;
    subscribedKey.current = key;
    subscribedGeneration.current = generation;
    void Promise.all(ids.map((siteId) => socket.emitWithAck('site:subscribe', { siteId }))).then(() => {
      if (reconnected) handlersRef.current.onResubscribed?.();
    });
    return () => {
      socket.off('operation:updated', onOperation);
      socket.off('site:updated', onSite);
      for (const siteId of ids) socket.emit('site:unsubscribe', { siteId });
    };
  }, [socket, generation, state, key]);
}
