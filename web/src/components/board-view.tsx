import { useRef } from "preact/hooks";
import type { Board } from "../../../src/core/board.ts";
import { keyCorners } from "../../../src/core/board.ts";
import {
  DARK_HEAT,
  heatColour,
  svgLegend,
  svgPercent,
  UNTYPED_FILL,
} from "../../../src/core/export/svg.ts";

/** Pixels per key unit. */
const UNIT = 48;
const GAP = 3;

interface BoardViewProps {
  readonly board: Board;
  readonly chars: readonly (string | null)[];
  /** Percent of keystrokes on each key. */
  readonly keyShare: readonly number[];
  /** Keys in the picked state (the key picked for a swap, pinned keys), and that state's name. */
  readonly picked?: { readonly keys: ReadonlySet<number>; readonly name: string };
  /** Keys to draw attention to (the keys of an n-gram picked in a list, keys that differ). */
  readonly highlighted: ReadonlySet<number>;
  /** Picking a key; without it the drawing is a picture. */
  readonly onKey?: (key: number) => void;
  /** Dragging one key onto another. */
  readonly onDrag?: (from: number, to: number) => void;
  /** Read out for the drawing: what picking a key does, or what the picture shows. */
  readonly label: string;
}

/** The index of the key under the pointer, if it is over one. */
function keyAt(event: PointerEvent): number | null {
  const key = document.elementFromPoint(event.clientX, event.clientY)?.closest("[data-index]");
  return key ? Number(key.getAttribute("data-index")) : null;
}

/** The board with its real geometry, each key coloured by how often it is typed. */
export function BoardView(props: BoardViewProps) {
  const { board, chars, keyShare, picked, highlighted, onKey, onDrag } = props;
  const dragFrom = useRef<number | null>(null);
  const corners = board.keys.flatMap(keyCorners);
  const minX = Math.min(...corners.map((p) => p.x));
  const minY = Math.min(...corners.map((p) => p.y));
  const maxX = Math.max(...corners.map((p) => p.x));
  const maxY = Math.max(...corners.map((p) => p.y));
  const hottest = Math.max(...keyShare, 1e-9);
  return (
    <svg
      class="board"
      viewBox={`${minX * UNIT - GAP} ${minY * UNIT - GAP} ${(maxX - minX) * UNIT + 2 * GAP} ${(maxY - minY) * UNIT + 2 * GAP}`}
      role={onKey ? undefined : "img"}
      aria-label={props.label}
      {...(onDrag && {
        onPointerDown: (event: PointerEvent) => {
          dragFrom.current = keyAt(event);
        },
        onPointerUp: (event: PointerEvent) => {
          const [from, to] = [dragFrom.current, keyAt(event)];
          dragFrom.current = null;
          if (from !== null && to !== null && from !== to) onDrag(from, to);
        },
      })}
    >
      {board.keys.map((key, k) => {
        const share = keyShare[k] ?? 0;
        const heat = share / hottest;
        const char = chars[k] ?? null;
        const legend = svgLegend(char);
        const ink = heat > DARK_HEAT ? "#ffffff" : "#222222";
        const left = key.x * UNIT + GAP / 2;
        const top = key.y * UNIT + GAP / 2;
        const width = key.w * UNIT - GAP;
        const height = key.h * UNIT - GAP;
        const isPicked = picked?.keys.has(k) === true;
        const state = isPicked ? " selected" : highlighted.has(k) ? " highlighted" : "";
        const shown = share > 0 ? share.toFixed(share >= 10 ? 0 : 1) : "";
        // The name starts with what the key shows, as a sighted user would read it out.
        const label = `${legend === "" ? "no character" : legend} ${shown}: key ${key.id}, ${svgPercent(share)} of keystrokes${key.home ? ", home key" : ""}${isPicked ? `, ${picked?.name}` : ""}`;
        return (
          <g
            key={key.id}
            class={`key${state}`}
            data-key={key.id}
            data-index={k}
            transform={
              key.r !== 0 ? `rotate(${key.r} ${key.rx * UNIT} ${key.ry * UNIT})` : undefined
            }
            {...(onKey && {
              tabIndex: 0,
              // A key drawn in SVG cannot be an HTML button; it takes the button's role and keys.
              role: "button",
              "aria-pressed": isPicked,
              "aria-label": label,
              onClick: () => onKey(k),
              onKeyDown: (event: KeyboardEvent) => {
                if (event.key === "Enter" || event.key === " ") {
                  event.preventDefault();
                  onKey(k);
                }
              },
            })}
          >
            <rect
              x={left}
              y={top}
              width={width}
              height={height}
              rx={5}
              fill={share > 0 ? heatColour(heat) : UNTYPED_FILL}
            />
            {/* One text, legend then share, so that it reads as the key's name begins. */}
            <text fill={ink} x={left + width / 2}>
              <tspan
                x={left + width / 2}
                y={top + height / 2 - (share > 0 ? 4 : 0)}
                font-size={[...legend].length > 1 ? 10 : 18}
              >
                {legend}
              </tspan>{" "}
              <tspan class="share" x={left + width / 2} y={top + height - 6}>
                {shown}
              </tspan>
            </text>
          </g>
        );
      })}
    </svg>
  );
}
