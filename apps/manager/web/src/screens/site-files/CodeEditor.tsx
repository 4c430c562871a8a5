import { useEffect, useRef, type ReactNode, type RefObject } from 'react';
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, defaultHighlightStyle, foldGutter, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { highlightSelectionMatches, searchKeymap } from '@codemirror/search';
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView, drawSelection, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import { loadLanguage } from './editor-language';

interface CodeEditorProps {
  /** The file's name, for its syntax highlighting. */
  fileName: string;
  /** The text the editor starts with (a new file or a reload mounts a new editor). */
  initialText: string;
  /** The text as saved on disk: the editor is "dirty" while its text differs. */
  savedText: string;
  onDirtyChange: (dirty: boolean) => void;
  /** The screen reads the text to save from here. */
  viewRef: RefObject<EditorView | null>;
  label: string;
}

/**
 * CodeMirror 6 on one file. The file's text goes in as data (a document), never as markup; the
 * language loads lazily and is switched in once it arrives.
 */
export function CodeEditor({ fileName, initialText, savedText, onDirtyChange, viewRef, label }: CodeEditorProps): ReactNode {
  const host = useRef<HTMLDivElement>(null);
  const savedRef = useRef(savedText);
  const onDirtyRef = useRef(onDirtyChange);
  onDirtyRef.current = onDirtyChange;

  useEffect(() => {
    const parent = host.current;
    if (!parent) return undefined;
    const language = new Compartment();
    const view = new EditorView({
      parent,
      state: EditorState.create({
        doc: initialText,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          foldGutter(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          closeBrackets(),
          autocompletion(),
          highlightActiveLine(),
          highlightSelectionMatches(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...searchKeymap, ...historyKeymap, ...completionKeymap, indentWithTab]),
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) onDirtyRef.current(!sameText(update.state, savedRef.current));
          }),
          language.of([]),
        ],
      }),
    });
    viewRef.current = view;
    let unmounted = false;
    void loadLanguage(fileName)?.then((extension) => {
      if (!unmounted) view.dispatch({ effects: language.reconfigure(extension) });
    });
    return () => {
      unmounted = true;
      viewRef.current = null;
      view.destroy();
    };
    // The editor is made once per file (the screen keys it by path and revision).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    savedRef.current = savedText;
    const view = viewRef.current;
    if (view) onDirtyRef.current(!sameText(view.state, savedText));
  }, [savedText, viewRef]);

  return <div className="code-editor" ref={host} />;
}

function sameText(state: EditorState, text: string): boolean {
  return state.doc.length === text.length && state.doc.toString() === text;
}
