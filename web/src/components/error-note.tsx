/** A failure the page reports in words, announced to screen readers. */
export function ErrorNote({ message }: { readonly message: string }) {
  return (
    <p role="alert" class="error">
      {message}
    </p>
  );
}
