import {useEffect, useRef, useState} from 'react';
import type {EngineView, FailedJobsQuery} from '../engine/contract.js';
import {readFailedPage} from './engine-commands.js';
import type {LoadedPage} from './state/selectors.js';

export interface FailedPageState {
  /** The newest page read for this view (its offset may trail the cursor while the next page is read). */
  readonly page: LoadedPage | undefined;
  readonly error: string | undefined;
}

/**
 * Reads the page of failed jobs a list view shows, only that page. It reads again when the query
 * changes (at once), when `reloadToken` changes (at once: a retry or remove just happened), and
 * when `changeKey` changes (the failed counts moved), at most once per `minIntervalMs`.
 * @param minIntervalMs @default 2000
 */
export function useFailedPage(
  engine: EngineView,
  query: FailedJobsQuery | undefined,
  changeKey: string,
  reloadToken: number,
  minIntervalMs = 2000,
): FailedPageState {
  const [state, setState] = useState<{page: LoadedPage | undefined; error: string | undefined; viewKey: string}>({page: undefined, error: undefined, viewKey: ''});
  const lastRef = useRef({key: '', reloadToken, atMs: 0});
  const queryKey = query ? JSON.stringify(query) : '';
  const viewKey = query ? JSON.stringify({...query, offset: 0}) : '';

  useEffect(() => {
    if (!query) return;
    let isCurrent = true;
    const last = lastRef.current;
    const isUrgent = last.key !== queryKey || last.reloadToken !== reloadToken;
    const waitMs = isUrgent ? 0 : Math.max(0, last.atMs + minIntervalMs - Date.now());
    const load = () => {
      lastRef.current = {key: queryKey, reloadToken, atMs: Date.now()};
      readFailedPage(engine, query).then(
        (page) => {
          if (isCurrent) setState({page: {offset: query.offset, key: queryKey, page}, error: undefined, viewKey});
        },
        (error: unknown) => {
          if (isCurrent) setState((previous) => ({...previous, error: error instanceof Error ? error.message : String(error)}));
        },
      );
    };
    const timer = waitMs > 0 ? setTimeout(load, waitMs) : undefined;
    if (waitMs === 0) load();
    return () => {
      isCurrent = false;
      clearTimeout(timer);
    };
    // `query` is represented by `queryKey`.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [engine, queryKey, changeKey, reloadToken, minIntervalMs]);

  return state.viewKey === viewKey && query ? {page: state.page, error: state.error} : {page: undefined, error: undefined};
}
