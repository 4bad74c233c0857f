# The scikit-learn program examples/wine/main.go is measured against:
# StandardScaler + MLPClassifier with its defaults on wine.csv, 80/20 split.
import sys, pandas as pd, pickle
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.neural_network import MLPClassifier

df = pd.read_csv(sys.argv[1] if len(sys.argv) > 1 else "wine.csv")
X, y = df.drop(columns="target"), df["target"]
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=1)
model = make_pipeline(StandardScaler(), MLPClassifier()).fit(X_train, y_train)
print(f"val_accuracy={model.score(X_val, y_val):.4f}")
pickle.dump(model, open("wine.pkl", "wb"))
