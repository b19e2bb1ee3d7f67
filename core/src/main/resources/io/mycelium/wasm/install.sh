# Moves a part the controller just put (PART) to its hash-addressed place (FINAL), unpacking it first when it is an
# archive (KIND=tgz), then checks its tree digest. Args: KIND PART FINAL TREE.
set -u
KIND=$1 PART=$2 FINAL=$3 TREE=$4
tree_sha() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -d' ' -f1; }
if [ "$KIND" = tgz ]; then
  T="$PART.d"
  mkdir -p "$T" && tar -xzf "$PART" -C "$T" || { rm -rf -- "$PART" "$T"; echo "cannot unpack $PART" >&2; exit 3; }
  rm -f -- "$PART"
  PART=$T
fi
if [ -d "$FINAL" ]; then rm -rf -- "$PART"; else mv -- "$PART" "$FINAL" || { rm -rf -- "$PART"; exit 3; }; fi
got=$(tree_sha "$FINAL")
if [ "$got" != "$TREE" ]; then rm -rf -- "$FINAL"; echo "$FINAL has tree digest $got, expected $TREE" >&2; exit 4; fi
